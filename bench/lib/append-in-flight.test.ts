import { describe, expect, it } from 'vitest';
import { appendInFlight, type NumberedAppend } from './append-in-flight.js';

const numbered = (i: number): NumberedAppend => ({
  entry: { receivedAtMs: i, transport: 'mqtt', deviceId: 'd', contentType: 'cose-sign1', original: new Uint8Array([i & 0xff]) },
  claim: { deviceId: 'd', seq: i + 1 },
});

/** A log whose appends settle only when the test says so. */
function heldLog(failAt?: number) {
  const waiting: (() => void)[] = [];
  const seqs: number[] = [];
  let outstanding = 0;
  let most = 0;
  return {
    seqs,
    waiting,
    get most() {
      return most;
    },
    append(_entry: unknown, claim: { seq: number }): Promise<void> {
      seqs.push(claim.seq);
      outstanding += 1;
      most = Math.max(most, outstanding);
      return new Promise<void>((resolve, reject) => {
        waiting.push(() => {
          outstanding -= 1;
          if (claim.seq === failAt) reject(new Error(`append ${claim.seq} failed`));
          else resolve();
        });
      });
    },
  };
}

async function settleAll(log: ReturnType<typeof heldLog>, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.then(() => (finished = true), () => (finished = true));
  while (!finished) {
    const next = log.waiting.shift();
    if (next !== undefined) next();
    await new Promise((r) => setImmediate(r));
  }
}

describe('appendInFlight', () => {
  it('appends every entry of the range once, in order, never more than inFlight at a time', async () => {
    const log = heldLog();
    const done = appendInFlight(log, { from: 10, to: 110, inFlight: 7 }, numbered);
    await settleAll(log, done);
    await done;
    expect(log.seqs).toEqual(Array.from({ length: 100 }, (_, k) => k + 11));
    expect(log.most).toBe(7);
  });

  it('stops launching after a failure and throws it once the outstanding appends settled', async () => {
    const log = heldLog(3);
    const done = appendInFlight(log, { from: 0, to: 100, inFlight: 4 }, numbered);
    await settleAll(log, done);
    await expect(done).rejects.toThrow('append 3 failed');
    expect(log.seqs.length).toBeLessThan(10);
    expect(log.waiting).toHaveLength(0);
  });

  it('returns at once for an empty range', async () => {
    const log = heldLog();
    await appendInFlight(log, { from: 5, to: 5, inFlight: 4 }, numbered);
    expect(log.seqs).toEqual([]);
  });
});
