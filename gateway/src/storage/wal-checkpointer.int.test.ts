/**
 * The WAL checkpoint thread (wal-checkpointer.ts) with a real worker and real files: it copies the WAL into the
 * database file while the main connection never checkpoints, and hands checkpoints back to the main connection
 * when it stops or fails. Uses the built dist (`npx tsc -b`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger.js';
import { openLogStore } from './log-store.js';
import { openStateDatabase, type StateDatabase } from './state-database.js';
import { WalCheckpointer } from './wal-checkpointer.js';

const dirs: string[] = [];
const dbs: StateDatabase[] = [];

afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function freshDatabase(): { db: StateDatabase; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-wal-'));
  dirs.push(dir);
  const file = path.join(dir, 'state.sqlite');
  const db = openStateDatabase({ file, readOnly: false });
  dbs.push(db);
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL)');
  return { db, file };
}

/** About `pages` database pages of new rows, in transactions of 100 rows, as group commits would write them. */
function writePages(db: StateDatabase, pages: number): void {
  const insert = db.prepare('INSERT INTO filler (bytes) VALUES (?)');
  const blob = Buffer.alloc(3_000, 7);
  for (let written = 0; written < pages; written += 100) {
    db.transaction(() => {
      for (let k = 0; k < 100; k += 1) insert.run(blob);
    })();
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const autoCheckpoint = (db: StateDatabase): unknown => db.pragma('wal_autocheckpoint', { simple: true });

describe('WalCheckpointer', () => {
  it('copies the WAL into the database file on its thread, not the main connection', async () => {
    const { db, file } = freshDatabase();
    const observed: string[] = [];
    const checkpointer = WalCheckpointer.start({ db, file, intervalMs: 20, logger: silentLogger(), onCheckpoint: (_seconds, thread) => observed.push(thread) });
    try {
      // The main connection's own automatic checkpoint is only a guard, far beyond what this test writes.
      expect(autoCheckpoint(db)).toBe(4 * 16_384);
      // 3,000 pages: past SQLite's automatic threshold (1,000), which the main connection no longer applies.
      writePages(db, 3_000);
      await until(() => fs.statSync(file).size >= 3_000 * 3_000 && observed.length > 0);
      expect(new Set(observed)).toEqual(new Set(['checkpointer']));
      expect(checkpointer.running).toBe(true);
      // The data is whole in the database file the thread wrote.
      expect((db.prepare('SELECT COUNT(*) AS n FROM filler').get() as { n: number }).n).toBe(3_000);
    } finally {
      await checkpointer.stop();
    }
  });

  it('without it, nothing reaches the database file while automatic checkpoints are off (the test above can fail)', () => {
    const { db, file } = freshDatabase();
    db.pragma('wal_autocheckpoint = 0');
    const before = fs.statSync(file).size;
    writePages(db, 3_000);
    expect(fs.statSync(file).size).toBe(before);
  });

  it('keeps the WAL from growing without end under steady writes: the main connection restarts it after a thread pass', async () => {
    const { db, file } = freshDatabase();
    const threads: string[] = [];
    const checkpointer = WalCheckpointer.start({ db, file, intervalMs: 20, restartFrames: 500, logger: silentLogger(), onCheckpoint: (_seconds, thread) => threads.push(thread) });
    try {
      // 100 MB of pages in small commits, yielding to the event loop between them as group commits do. A
      // checkpoint from another connection never restarts a WAL that is being written: without the main
      // connection's restart, the WAL would hold all of it.
      for (let round = 0; round < 300; round += 1) {
        writePages(db, 100);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(threads).toContain('main');
      expect(fs.statSync(`${file}-wal`).size).toBeLessThan(40 * 1024 * 1024);
    } finally {
      await checkpointer.stop();
    }
  });

  it('stop ends the thread and gives checkpoints back to the main connection', async () => {
    const { db, file } = freshDatabase();
    const checkpointer = WalCheckpointer.start({ db, file, intervalMs: 20, logger: silentLogger() });
    await checkpointer.stop();
    expect(checkpointer.running).toBe(false);
    expect(autoCheckpoint(db)).toBe(1000);
    // A second stop is harmless.
    await checkpointer.stop();
  });

  it('falls back to automatic checkpoints on the main connection when the thread fails', async () => {
    const { db } = freshDatabase();
    const warnings: string[] = [];
    const logger = silentLogger();
    logger.warn = ((_: unknown, message: string) => {
      warnings.push(message);
    }) as typeof logger.warn;
    // A database file that does not exist: the thread cannot open it and reports the failure.
    const checkpointer = WalCheckpointer.start({ db, file: path.join(os.tmpdir(), 'tg-wal-missing', 'none.sqlite'), intervalMs: 20, logger });
    await until(() => !checkpointer.running);
    expect(autoCheckpoint(db)).toBe(1000);
    expect(warnings).toEqual(['WAL checkpoints moved back to the main thread']);
    await checkpointer.stop();
  });

  it('runs for the gateway: openLogStore starts it and its close stops it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-wal-store-'));
    dirs.push(dataDir);
    const store = openLogStore({ dataDir, origin: 'trial.example/wal/gw' });
    let closed = false;
    try {
      expect(autoCheckpoint(store.db)).toBe(4 * 16_384);
      await store.log.append({ receivedAtMs: 1, transport: 'admin', deviceId: '', contentType: 'gateway', original: Uint8Array.of(0xa0) });
      await store.close();
      closed = true;
      // Closed cleanly: the next writer opens the directory and finds the entry.
      const again = openLogStore({ dataDir, origin: 'trial.example/wal/gw' });
      expect(again.log.size()).toBe(1);
      await again.close();
    } finally {
      if (!closed) await store.close();
    }
  });
});
