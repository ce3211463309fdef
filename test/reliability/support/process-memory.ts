/** Resident memory of a process (Linux /proc), for "memory stays bounded" (sampled, never asserted tightly). */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes, or null when it cannot be read (process gone, not Linux). */
export function residentBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** Samples a process's resident memory every `everyMs` until stopped; reports the highest and the last. */
export function sampleResidentMemory(pid: number, everyMs = 200): { stop(): { readonly maxBytes: number; readonly lastBytes: number; readonly samples: number } } {
  let maxBytes = 0;
  let lastBytes = 0;
  let samples = 0;
  const take = (): void => {
    const bytes = residentBytes(pid);
    if (bytes === null) return;
    samples += 1;
    lastBytes = bytes;
    maxBytes = Math.max(maxBytes, bytes);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { maxBytes, lastBytes, samples };
    },
  };
}

export const MIB = 1024 * 1024;
