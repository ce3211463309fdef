/**
 * The single-writer lock across processes: a running writer (a child process) keeps a second writer out
 * with E_STORAGE_LOCKED naming its pid, read-only views still work beside it, and a writer killed with
 * SIGKILL leaves no stale lock behind. Uses the built dist (`npx tsc -b`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isDataDirectoryLocked } from './data-directory-lock.js';
import { openLogStore } from './log-store.js';
import { openLogView } from './log-view.js';
import { sampleEntry } from './gateway-log-contract.js';

const logStoreModule = fileURLToPath(new URL('../../dist/storage/log-store.js', import.meta.url));

/** A child process holding the lock. It keeps its store referenced: a collected store's lock database is closed. */
function holdLock(dataDir: string): Promise<ChildProcess> {
  const script = `const { openLogStore } = await import(${JSON.stringify(logStoreModule)});
    const store = openLogStore({ dataDir: ${JSON.stringify(dataDir)}, origin: 'trial.example/lock/gw', lockHolder: 'test writer' });
    process.stdout.write('ready\\n'); setInterval(() => store, 1000);`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    proc.stdout?.once('data', () => resolve(proc));
    proc.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
}

describe('data directory lock (processes)', () => {
  it('keeps a second writer out while the first runs, lets readers in, and dies with its holder', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-lock-'));
    let holder: ChildProcess | undefined;
    try {
      const first = openLogStore({ dataDir, origin: 'trial.example/lock/gw' });
      await first.log.append(sampleEntry());
      await first.close();
      const child = await holdLock(dataDir);
      holder = child;
      expect(isDataDirectoryLocked(dataDir)).toBe(true);
      expect(() => openLogStore({ dataDir })).toThrow(
        expect.objectContaining({ code: 'E_STORAGE_LOCKED', message: expect.stringContaining(`pid ${child.pid}`) }),
      );
      const view = openLogView({ dataDir });
      expect(view.mode).toBe('snapshot');
      expect(view.size()).toBe(1);
      await view.close();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      expect(isDataDirectoryLocked(dataDir)).toBe(false);
      const after = openLogStore({ dataDir });
      expect(after.log.size()).toBe(1);
      await after.close();
    } finally {
      // A failed assertion must not leave the child running (it would keep the test run from exiting).
      holder?.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
