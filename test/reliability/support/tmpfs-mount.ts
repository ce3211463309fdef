/**
 * A small size-limited directory for the disk-full scenario: a tmpfs of `size` mounted at a fresh temporary
 * directory (needs root, as on the CI machine and this one). Where mounting is not allowed, `mount` returns
 * null with the reason, and the scenario skips itself saying so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TmpfsMount {
  readonly path: string;
  unmount(): void;
}

export function mountTmpfs(size: string): TmpfsMount | { readonly skipped: string } {
  const where = mkdtempSync(path.join(tmpdir(), 'tg-rel-tmpfs-'));
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', where], { encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(where, { recursive: true, force: true });
    return { skipped: `cannot mount a tmpfs here (${(result.stderr || result.error?.message || `exit ${result.status}`).trim()}); run as root to test a full disk` };
  }
  return {
    path: where,
    unmount: () => {
      if (spawnSync('umount', [where]).status !== 0) spawnSync('umount', ['-l', where]);
      rmSync(where, { recursive: true, force: true });
    },
  };
}
