/**
 * Test support for the demo's tests: every pid the demo records in its `processes.json` while it runs, and
 * which of them (or any process whose command line names the demo's output directory) is still alive.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface PidWatcher {
  readonly pids: ReadonlySet<number>;
  stop(): void;
}

/** Collects the pids the demo records, polling its process table every 100 ms. */
export function watchDemoPids(processTable: string): PidWatcher {
  const pids = new Set<number>();
  const poll = (): void => {
    try {
      const table = JSON.parse(readFileSync(processTable, 'utf8')) as { processes: { pid: number }[] };
      for (const record of table.processes) pids.add(record.pid);
    } catch {
      // Not written yet, or being replaced.
    }
  };
  const timer = setInterval(poll, 100);
  return {
    pids,
    stop: () => {
      clearInterval(timer);
      poll();
    },
  };
}

/** Processes alive (not zombies) among `pids`, and any process whose command line contains `marker`. */
export function survivors(pids: Iterable<number>, marker: string): string[] {
  const alive: string[] = [];
  const seen = new Set<number>();
  const check = (pid: number): void => {
    if (seen.has(pid) || pid === process.pid) return;
    seen.add(pid);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z') return;
      alive.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`);
    } catch {
      // Gone.
    }
  };
  for (const pid of pids) check(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) check(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return alive;
}
