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
  it('on random adds, commits, rollbacks, lookups and chunked writes, committed or rolled back (growing past its first capacity)', () => {
    const op = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('add' as const), device: fc.constantFrom('a', 'b', 'c', 'd'), seq: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 2, arbitrary: fc.constant({ kind: 'commit' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'rollback' as const }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('find' as const), device: fc.constantFrom('a', 'b', 'c', 'e'), seq: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('flush' as const), limit: fc.integer({ min: 1, max: 60 }), applied: fc.boolean() }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const rows = new PendingSeqRows();
        let committed: ModelRow[] = [];
        let tentative: ModelRow[] = [];
        let round: { readonly size: number; readonly devices: readonly (readonly ModelRow[])[]; done: number } | null = null;
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
            // A round takes the rows committed when it starts, grouped by device (first seen first), each
            // device's rows in ascending seq order; a chunk writes whole devices until it has `limit` rows.
            if (round === null) {
              const byDevice = new Map<string, ModelRow[]>();
              for (const row of committed) byDevice.set(row.deviceId, [...(byDevice.get(row.deviceId) ?? []), row]);
              round = { size: committed.length, devices: [...byDevice.values()].map((r) => [...r].sort((a, b) => a.seq - b.seq)), done: 0 };
            }
            const expected: ModelRow[] = [];
            let done = round.done;
            while (done < round.devices.length && expected.length < o.limit) expected.push(...(round.devices[done++] ?? []));
            const written: ModelRow[] = [];
            const chunk = rows.writeChunk(o.limit, next, (row) => written.push({ deviceId: row.deviceId, seq: row.seq, index: row.index, hash: Buffer.from(row.hash).toString('hex') }));
            expect(written).toEqual(expected);
            const complete = done === round.devices.length;
            // How far the table is complete: the first row not in a finished round, or the log size.
            const rest = complete ? committed[round.size] : committed[0];
            expect(chunk.seqIndexedSize).toBe(rest === undefined ? next : rest.index);
            if (o.applied) {
              rows.chunkWritten(chunk);
              round.done = done;
              if (complete) {
                // The round's rows are the table's: no longer found here.
                committed = committed.slice(round.size);
                round = null;
              }
            }
            expect(rows.writing).toBe(round !== null);
          }
          expect(rows.size).toBe(committed.length);
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
    // 2,000,000 rows in commits of 4,000 from 50 devices; as the durable log does, a round starts at 8,192
    // pending rows and goes on, whole devices of at least 5,000 rows per commit, until its rows are written.
    for (let commit = 0; commit < 500; commit += 1) {
      for (let k = 0; k < 4000; k += 1) {
        rows.add(`d${index % 50}`, index, index, hash);
        index += 1;
      }
      rows.commit();
      writing ||= rows.size >= 8192;
      if (writing) rows.chunkWritten(rows.writeChunk(5000, index, () => undefined));
      writing &&= rows.writing;
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
