import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { IncrementalTree, MemoryTreeHashStore, leafHash } from '@trialgate/proof-formats';
import { entryBytes } from './entry-bytes.js';
import { describeGatewayLogContract, sampleEntry, sampleQuarantine } from './gateway-log-contract.js';
import type { LogProjection } from './log-projection.js';
import { DEFAULT_GROUP_COMMIT_LIMITS, SEQ_INDEX_FLUSH_ROWS } from './durable-gateway-log.js';
import { openLogStore, type LogStore, type OpenLogStoreOptions } from './log-store.js';
import { frameRecord } from './record-framing.js';
import { failingFileSystem } from './testing/failing-file-system.js';
import { readingEntry } from './testing/test-messages.js';

const ORIGIN = 'trial.example/site-042/gw-test';
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-log-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(dataDir: string, options: Partial<OpenLogStoreOptions> = {}): LogStore {
  const store = openLogStore({ dataDir, origin: ORIGIN, segmentCapacity: 8, ...options });
  cleanups.push(() => store.close());
  return store;
}

function lastSegment(dataDir: string): string {
  const names = fs.readdirSync(path.join(dataDir, 'log')).filter((n) => n.endsWith('.tglog')).sort();
  return path.join(dataDir, 'log', names.at(-1) ?? '');
}

/** The RFC 9162 root of the given entries, computed independently of the stored tree. */
function referenceRoot(entries: readonly Uint8Array[]): Uint8Array {
  const tree = IncrementalTree.open(new MemoryTreeHashStore());
  tree.appendLeafHashes(entries.map((e) => leafHash(e)));
  return tree.root();
}

describeGatewayLogContract('DurableGatewayLog', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-contract-'));
  let store = openLogStore({ dataDir, origin: ORIGIN, segmentCapacity: 4 });
  return Promise.resolve({
    log: store.log,
    reopen: async () => {
      await store.close();
      store = openLogStore({ dataDir, origin: ORIGIN });
      return store.log;
    },
    cleanup: async () => {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
});

describe('DurableGatewayLog', () => {
  it('shares one fsync among the appends that arrive while one is in flight (group commit)', async () => {
    const dataDir = freshDir();
    const fileSystem = failingFileSystem();
    const store = open(dataDir, { fileSystem, segmentCapacity: 1 << 20 });
    const before = fileSystem.syncCount;
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, (_, i) => store.log.append(sampleEntry({ original: new Uint8Array([i % 256, i >> 8]) }))),
    );
    expect(outcomes.map((o) => o.index)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(fileSystem.syncCount - before).toBeLessThan(100);
  });

  it('rolls over segments at their capacity and reads every entry back after a reopen', async () => {
    const dataDir = freshDir();
    let store = open(dataDir);
    const entries = Array.from({ length: 30 }, (_, i) => sampleEntry({ original: new Uint8Array([i]) }));
    for (const batch of [entries.slice(0, 7), entries.slice(7, 21), entries.slice(21)]) {
      await Promise.all(batch.map((e) => store.log.append(e)));
    }
    expect(fs.readdirSync(path.join(dataDir, 'log')).filter((n) => n.endsWith('.tglog'))).toHaveLength(4);
    await store.close();
    store = open(dataDir, { verify: 'full' });
    expect(store.log.size()).toBe(30);
    for (const [i, e] of entries.entries()) expect(store.log.readEntry(i)).toEqual(entryBytes(e));
    expect(store.tree.root(30)).toEqual(referenceRoot(entries.map((e) => entryBytes(e))));
  });

  it('serves inclusion and consistency proofs for any index and size', async () => {
    const store = open(freshDir());
    const entries = Array.from({ length: 21 }, (_, i) => sampleEntry({ original: new Uint8Array([i]) }));
    await Promise.all(entries.map((e) => store.log.append(e)));
    const reference = IncrementalTree.open(new MemoryTreeHashStore());
    reference.appendEntries(entries.map((e) => entryBytes(e)));
    for (const size of [1, 5, 8, 13, 21]) {
      for (let index = 0; index < size; index++) {
        expect(store.tree.inclusionProof(index, size)).toEqual(reference.inclusionProof(index, size));
      }
      expect(store.tree.consistencyProof(1, size)).toEqual(reference.consistencyProof(1, size));
    }
    expect(() => store.tree.root(22)).toThrow(expect.objectContaining({ code: 'E_STORAGE_INDEX_RANGE' }));
  });

  it('refuses a second writer on the same data directory with E_STORAGE_LOCKED', () => {
    const dataDir = freshDir();
    open(dataDir);
    expect(() => openLogStore({ dataDir, origin: ORIGIN })).toThrow(
      expect.objectContaining({ code: 'E_STORAGE_LOCKED' }),
    );
  });

  it('refuses a data directory of another origin with E_STORAGE_MISMATCH', async () => {
    const dataDir = freshDir();
    await open(dataDir).close();
    expect(() => openLogStore({ dataDir, origin: 'other.example/gw' })).toThrow(
      expect.objectContaining({ code: 'E_STORAGE_MISMATCH' }),
    );
  });

  it('refuses appends beyond the queue bound with E_STORAGE_OVERLOADED (back-pressure)', async () => {
    const store = open(freshDir(), { limits: { maxQueuedRecords: 10 } });
    const results = await Promise.allSettled(Array.from({ length: 15 }, () => store.log.append(sampleEntry())));
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'E_STORAGE_OVERLOADED' });
    expect(store.log.size()).toBe(results.length - refused.length);
  });

  it('fails a batch with E_STORAGE_NO_SPACE when the disk fills mid-write, keeps what was there, and resumes', async () => {
    const dataDir = freshDir();
    const fileSystem = failingFileSystem();
    let store = open(dataDir, { fileSystem });
    const first = Array.from({ length: 5 }, (_, i) => sampleEntry({ original: new Uint8Array([i]) }));
    await Promise.all(first.map((e) => store.log.append(e)));
    fileSystem.failWrites('ENOSPC', { afterBytes: 30, pathIncludes: 'entries-' });
    const refused = await Promise.allSettled([store.log.append(sampleEntry()), store.log.quarantine(sampleQuarantine())]);
    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'E_STORAGE_NO_SPACE' });
    expect(store.log.size()).toBe(5);
    fileSystem.heal();
    const later = sampleEntry({ original: new Uint8Array([99]) });
    expect(await store.log.append(later)).toEqual({ status: 'appended', index: 5 });
    await store.close();
    store = open(dataDir, { verify: 'full' });
    expect(store.log.size()).toBe(6);
    expect(store.log.readEntry(5)).toEqual(entryBytes(later));
    expect(store.log.listQuarantine()).toHaveLength(0);
  });

  it('fails a batch with E_STORAGE_WRITE when fsync fails, and resumes', async () => {
    const dataDir = freshDir();
    const fileSystem = failingFileSystem();
    const store = open(dataDir, { fileSystem });
    await store.log.append(sampleEntry());
    fileSystem.failSyncs('EIO');
    await expect(store.log.append(sampleEntry())).rejects.toMatchObject({ code: 'E_STORAGE_WRITE' });
    fileSystem.heal();
    expect(await store.log.append(sampleEntry())).toEqual({ status: 'appended', index: 1 });
  });

  it('keeps durable entries when the tree files fail after the fsync, and catches up once space returns', async () => {
    const dataDir = freshDir();
    const fileSystem = failingFileSystem();
    let store = open(dataDir, { fileSystem });
    const entries = Array.from({ length: 12 }, (_, i) => sampleEntry({ original: new Uint8Array([i]) }));
    await Promise.all(entries.slice(0, 3).map((e) => store.log.append(e)));
    fileSystem.failWrites('ENOSPC', { pathIncludes: 'level-' });
    // Durable (the segment fsync succeeded) even though the tree could not be written.
    expect(await store.log.append(entries[3] ?? sampleEntry())).toEqual({ status: 'appended', index: 3 });
    // While the tree cannot catch up, new appends are refused rather than decided against a stale index.
    await expect(store.log.append(entries[4] ?? sampleEntry())).rejects.toMatchObject({ code: 'E_STORAGE_NO_SPACE' });
    fileSystem.heal();
    await Promise.all(entries.slice(4).map((e) => store.log.append(e)));
    expect(store.log.size()).toBe(12);
    expect(store.tree.root(12)).toEqual(referenceRoot(entries.map((e) => entryBytes(e))));
    await store.close();
    store = open(dataDir, { verify: 'full' });
    expect(store.tree.root(12)).toEqual(referenceRoot(entries.map((e) => entryBytes(e))));
  });

  it('cuts a torn tail (a record cut at any byte, or zero-filled) on open and continues at the right index', async () => {
    const dataDir = freshDir();
    let store = open(dataDir, { segmentCapacity: 1000 });
    const entries = Array.from({ length: 5 }, (_, i) => sampleEntry({ original: new Uint8Array([i]) }));
    await Promise.all(entries.map((e) => store.log.append(e)));
    await store.close();
    const segment = lastSegment(dataDir);
    const whole = fs.readFileSync(segment);
    const unacknowledged = frameRecord(entryBytes(sampleEntry({ original: new Uint8Array(40).fill(7) })));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.integer({ min: 1, max: unacknowledged.length - 1 }).map((cut) => unacknowledged.subarray(0, cut)),
          fc.integer({ min: 1, max: 600 }).map((n) => Buffer.alloc(n)),
        ),
        async (tail) => {
          fs.writeFileSync(segment, Buffer.concat([whole, tail]));
          store = openLogStore({ dataDir, origin: ORIGIN });
          try {
            expect(store.log.size()).toBe(5);
            expect(store.recovery.tornTailBytes).toBe(tail.length);
            expect(fs.statSync(segment).size).toBe(whole.length);
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
    store = open(dataDir);
    expect(await store.log.append(sampleEntry())).toEqual({ status: 'appended', index: 5 });
  });

  it('refuses to start when an acknowledged entry is damaged (E_STORAGE_CORRUPT)', async () => {
    const dataDir = freshDir();
    const store = open(dataDir, { segmentCapacity: 1000 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.log.append(sampleEntry({ original: new Uint8Array([i]) }))));
    await store.close();
    const segment = lastSegment(dataDir);
    const bytes = fs.readFileSync(segment);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 6) ^ 0x01, bytes.length - 6); // inside the last acknowledged record
    fs.writeFileSync(segment, bytes);
    expect(() => openLogStore({ dataDir, origin: ORIGIN })).toThrow(expect.objectContaining({ code: 'E_STORAGE_CORRUPT' }));
    expect(() => openLogStore({ dataDir, origin: ORIGIN, verify: 'full' })).toThrow(
      expect.objectContaining({ code: 'E_STORAGE_CORRUPT' }),
    );
  });

  it('detects an altered entry with a valid checksum in a full verification (E_STORAGE_LOG_ALTERED)', async () => {
    const dataDir = freshDir();
    const store = open(dataDir, { segmentCapacity: 1000 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.log.append(sampleEntry({ original: new Uint8Array([10 + i]) }))));
    await store.close();
    const segment = lastSegment(dataDir);
    const bytes = fs.readFileSync(segment);
    // Rewrite entry 2 with another reading and a correct CRC, as a careful forger would.
    const original = frameRecord(entryBytes(sampleEntry({ original: new Uint8Array([12]) })));
    const forged = frameRecord(entryBytes(sampleEntry({ original: new Uint8Array([99]) })));
    const at = bytes.indexOf(original);
    expect(at).toBeGreaterThan(0);
    forged.copy(bytes, at);
    fs.writeFileSync(segment, bytes);
    expect(() => openLogStore({ dataDir, origin: ORIGIN, verify: 'full' })).toThrow(
      expect.objectContaining({ code: 'E_STORAGE_LOG_ALTERED' }),
    );
  });

  it('re-derives the seq index from the entries after a crash between fsync and index commit', async () => {
    const dataDir = freshDir();
    let store = open(dataDir);
    const readings = Array.from({ length: 10 }, (_, i) => readingEntry('wearable-7', i + 1));
    for (const r of readings) await store.log.append(r.entry, r.claim);
    await store.close();
    // What a crash between the segment fsync and the SQLite commit leaves: the index knows nothing.
    const db = new Database(path.join(dataDir, 'state.sqlite'));
    db.exec("DELETE FROM seq_index; UPDATE meta SET value = '0' WHERE key IN ('committed_size', 'synced_size', 'seq_indexed_size')");
    db.close();
    store = open(dataDir);
    const again = readingEntry('wearable-7', 4);
    expect(await store.log.append(again.entry, again.claim)).toEqual({ status: 'duplicate', index: 3 });
    const conflicting = readingEntry('wearable-7', 4, { bpm: 150 });
    expect(await store.log.append(conflicting.entry, conflicting.claim)).toEqual({ status: 'conflict', index: 3 });
    const next = readingEntry('wearable-7', 11);
    expect(await store.log.append(next.entry, next.claim)).toEqual({ status: 'appended', index: 10 });
  });

  it('decides from seq claims not yet in the seq index table, and writes them there in bulk (at the row bound and at close)', async () => {
    const dataDir = freshDir();
    const store = open(dataDir);
    const rows = (): number => (store.db.prepare('SELECT COUNT(*) AS n FROM seq_index').get() as { n: number }).n;
    const indexedSize = (): string | undefined =>
      (store.db.prepare("SELECT value FROM meta WHERE key = 'seq_indexed_size'").get() as { value: string } | undefined)?.value;
    for (let seq = 1; seq <= 5; seq += 1) {
      const r = readingEntry('wearable-7', seq);
      await store.log.append(r.entry, r.claim);
    }
    // Still pending: the decisions read them all the same, in a later commit and in the same one.
    expect(rows()).toBe(0);
    const again = readingEntry('wearable-7', 3);
    const conflicting = readingEntry('wearable-7', 3, { bpm: 151 });
    const next = readingEntry('wearable-7', 6);
    const twice = await Promise.all([store.log.append(again.entry, again.claim), store.log.append(next.entry, next.claim), store.log.append(next.entry, next.claim), store.log.append(conflicting.entry, conflicting.claim)]);
    expect(twice).toEqual([
      { status: 'duplicate', index: 2 },
      { status: 'appended', index: 5 },
      { status: 'duplicate', index: 5 },
      { status: 'conflict', index: 2 },
    ]);
    // A gap filled below the device's highest seq is new, and then known.
    const gap = readingEntry('wearable-8', 2);
    await store.log.append(gap.entry, gap.claim);
    const below = readingEntry('wearable-8', 1);
    expect(await store.log.append(below.entry, below.claim)).toEqual({ status: 'appended', index: 7 });
    expect(await store.log.append(below.entry, below.claim)).toEqual({ status: 'duplicate', index: 7 });
    expect(rows()).toBe(0);
    // At the row bound every pending row goes in, with how far the table is complete.
    const many = Array.from({ length: SEQ_INDEX_FLUSH_ROWS }, (_, i) => readingEntry(`bulk-${i % 50}`, Math.floor(i / 50) + 1));
    await Promise.all(many.map((r) => store.log.append(r.entry, r.claim)));
    const after = readingEntry('wearable-9', 1);
    await store.log.append(after.entry, after.claim);
    expect(rows()).toBeGreaterThanOrEqual(8 + SEQ_INDEX_FLUSH_ROWS - 2 * DEFAULT_GROUP_COMMIT_LIMITS.maxBatchRecords);
    expect(Number(indexedSize())).toBeGreaterThan(8);
    await store.close();
    const db = new Database(path.join(dataDir, 'state.sqlite'));
    expect((db.prepare('SELECT COUNT(*) AS n FROM seq_index').get() as { n: number }).n).toBe(8 + SEQ_INDEX_FLUSH_ROWS + 1);
    expect((db.prepare("SELECT value FROM meta WHERE key = 'seq_indexed_size'").get() as { value: string }).value).toBe(String(8 + SEQ_INDEX_FLUSH_ROWS + 1));
    db.close();
  });

  it('re-derives seq rows that were still pending when the process died (kill -9 leaves them out of the table)', async () => {
    const dataDir = freshDir();
    let store = open(dataDir);
    for (let seq = 1; seq <= 6; seq += 1) {
      const r = readingEntry('wearable-7', seq);
      await store.log.append(r.entry, r.claim);
    }
    await store.close();
    // What a kill -9 before the bulk write leaves: the entries and the committed size, no seq rows beyond 2.
    const db = new Database(path.join(dataDir, 'state.sqlite'));
    db.exec("DELETE FROM seq_index WHERE seq > 2; UPDATE meta SET value = '2' WHERE key = 'seq_indexed_size'");
    db.close();
    store = open(dataDir);
    const again = readingEntry('wearable-7', 5);
    expect(await store.log.append(again.entry, again.claim)).toEqual({ status: 'duplicate', index: 4 });
    const conflicting = readingEntry('wearable-7', 6, { bpm: 150 });
    expect(await store.log.append(conflicting.entry, conflicting.claim)).toEqual({ status: 'conflict', index: 5 });
    await store.close();
  });

  it('runs projections in the commit transaction and replays them from their watermark on open', async () => {
    const dataDir = freshDir();
    const counter = (fail: () => boolean): LogProjection => ({
      name: 'entry-counter',
      migrate: (db) => db.exec('CREATE TABLE IF NOT EXISTS seen (entry_index INTEGER PRIMARY KEY, device TEXT)'),
      apply: (db, entries) => {
        if (fail()) throw new Error('projection bug');
        const insert = db.prepare('INSERT INTO seen VALUES (?, ?)');
        for (const c of entries) insert.run(c.index, c.entry.deviceId);
      },
    });
    let failing = false;
    let store = open(dataDir, { projections: [counter(() => failing)] });
    await Promise.all(Array.from({ length: 4 }, () => store.log.append(sampleEntry())));
    failing = true;
    // A failing projection does not block the log.
    expect((await store.log.append(sampleEntry())).status).toBe('appended');
    await store.close();
    failing = false;
    store = open(dataDir, { projections: [counter(() => failing)] });
    const rows = store.db.prepare('SELECT entry_index FROM seen ORDER BY entry_index').all() as { entry_index: number }[];
    expect(rows.map((r) => r.entry_index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('keeps quarantine records across a reopen and cuts a torn quarantine tail', async () => {
    const dataDir = freshDir();
    let store = open(dataDir);
    await store.log.quarantine(sampleQuarantine());
    await store.log.quarantine(sampleQuarantine({ reason: 'E_SEQ_CONFLICT' }));
    await store.close();
    const file = path.join(dataDir, 'quarantine', 'quarantine.tgq');
    fs.appendFileSync(file, Buffer.from([0, 0, 1, 0, 9, 9]));
    store = open(dataDir);
    expect(store.log.listQuarantine().map((r) => r.reason)).toEqual(['E_COSE_SIGNATURE', 'E_SEQ_CONFLICT']);
    const third = await store.log.quarantine(sampleQuarantine({ reason: 'E_TOPIC' }));
    expect(third.id).toBe(3);
  });

  it('refuses to start when the tree no longer has the root of the latest signed checkpoint', async () => {
    const dataDir = freshDir();
    let store = open(dataDir);
    const entries = Array.from({ length: 6 }, (_, i) => sampleEntry({ original: new Uint8Array([i]) }));
    await Promise.all(entries.map((e) => store.log.append(e)));
    await store.checkpoints.append(
      { treeSize: 6, rootHash: store.tree.root(6), note: 'note', signedAtMs: 1 },
      1,
    );
    await store.close();
    // Alter a stored tree node on the root's path (level 2 covers leaves 0-3).
    const level2 = path.join(dataDir, 'tree', 'level-02.hashes');
    const bytes = fs.readFileSync(level2);
    bytes.writeUInt8(bytes.readUInt8(0) ^ 0xff, 0);
    fs.writeFileSync(level2, bytes);
    expect(() => openLogStore({ dataDir, origin: ORIGIN })).toThrow(expect.objectContaining({ code: 'E_STORAGE_LOG_ALTERED' }));
    fs.writeFileSync(level2, Buffer.from(bytes.map((b, i) => (i === 0 ? b ^ 0xff : b))));
    store = open(dataDir);
    expect(store.log.size()).toBe(6);
  });
});
