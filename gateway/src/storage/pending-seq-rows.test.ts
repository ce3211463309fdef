import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingSeqRows } from './pending-seq-rows.js';

interface ModelRow {
  readonly deviceId: string;
  readonly seq: number;
  readonly index: number;
  readonly hash: string;
}

const hashOf = (n: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (n * 31 + i) & 0xff);

describe('PendingSeqRows agrees with a list of rows', () => {
  it('on random adds, commits, rollbacks, lookups and chunked writes (growing past its first capacity)', () => {
    const op = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('add' as const), device: fc.constantFrom('a', 'b', 'c', 'd'), seq: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'commit' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'rollback' as const }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('find' as const), device: fc.constantFrom('a', 'b', 'c', 'e'), seq: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), limit: fc.integer({ min: 1, max: 60 }) }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const rows = new PendingSeqRows();
        let committed: ModelRow[] = [];
        let tentative: ModelRow[] = [];
        let writtenCount = 0;
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'add') {
            const row = { deviceId: o.device, seq: o.seq, index: next, hash: Buffer.from(hashOf(next)).toString('hex') };
            rows.add(o.device, o.seq, next, hashOf(next));
            next += 1;
            tentative.push(row);
          } else if (o.kind === 'commit') {
            rows.commit();
            committed = [...committed, ...tentative];
            tentative = [];
          } else if (o.kind === 'rollback') {
            rows.rollback();
            tentative = [];
          } else if (o.kind === 'find') {
            // The newest unwritten row of that (device, seq), tentative or not.
            const expected = [...committed, ...tentative].reverse().find((r) => r.deviceId === o.device && r.seq === o.seq);
            const found = rows.find(o.device, o.seq);
            expect(found === undefined ? undefined : { index: found.index, hash: found.hash.toString('hex') }).toEqual(
              expected === undefined ? undefined : { index: expected.index, hash: expected.hash },
            );
            const all = [...committed, ...tentative].filter((r) => r.deviceId === o.device);
            expect(rows.maxSeq(o.device)).toBe(all.length === 0 ? -1 : Math.max(...all.map((r) => r.seq)));
          } else {
            rows.commit();
            committed = [...committed, ...tentative];
            tentative = [];
            // Oldest first, `limit` rows; how far the table is complete: the first unwritten row's entry, or the log size.
            const written: ModelRow[] = [];
            const chunk = rows.writeChunk(o.limit, next, (row) => written.push({ deviceId: row.deviceId, seq: row.seq, index: row.index, hash: Buffer.from(row.hash).toString('hex') }));
            const expected = committed.slice(writtenCount, writtenCount + o.limit);
            expect(written.map((r) => r.index).sort((a, b) => a - b)).toEqual(expected.map((r) => r.index));
            expect(written).toEqual(expect.arrayContaining(expected));
            const rest = committed[writtenCount + expected.length];
            expect(chunk.seqIndexedSize).toBe(rest === undefined ? next : rest.index);
            rows.chunkWritten(chunk.upTo);
            // Written rows are the table's: no longer found here.
            committed = committed.slice(writtenCount + expected.length);
            writtenCount = 0;
          }
          expect(rows.size).toBe(committed.length - writtenCount);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps its memory to the rows pending when writing never catches up completely (bulk appends)', () => {
    const rows = new PendingSeqRows();
    const hash = hashOf(1);
    let index = 0;
    let highest = 0;
    let writing = false;
    // 2,000,000 rows in commits of 4,000 from 50 devices; as the durable log does, writing starts at 8,192
    // pending rows and goes on, 5,000 of the oldest per commit, until none is left.
    for (let commit = 0; commit < 500; commit += 1) {
      for (let k = 0; k < 4000; k += 1) {
        rows.add(`d${index % 50}`, index, index, hash);
        index += 1;
      }
      rows.commit();
      writing ||= rows.size >= 8192;
      if (writing) rows.chunkWritten(rows.writeChunk(5000, index, () => undefined).upTo);
      writing &&= rows.size > 0;
      highest = Math.max(highest, rows.capacity);
    }
    expect(rows.size).toBeLessThan(12_288);
    expect(highest).toBeLessThanOrEqual(32_768);
    // What is left is still found; what was written is not.
    rows.add('d0', index, index, hash);
    rows.commit();
    expect(rows.find('d0', index)?.index).toBe(index);
    expect(rows.find('d0', 0)).toBeUndefined();
    expect(rows.maxSeq('d0')).toBe(index);
  });
});
