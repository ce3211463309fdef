import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ANCHOR_RESULT_FORMAT, checkpointDigestHex } from '@trialgate/proof-formats';
import type { LogStore } from '../storage/log-store.js';
import { AnchorStore, parseAnchorResult } from './anchor-store.js';
import { AnchoringError } from './anchoring-error.js';
import { cleanUpStores, storeWithCheckpoints } from './testing/store-with-checkpoints.js';

const ORIGIN = 'trial.example/site-3/gw';
afterEach(cleanUpStores);

function result(store: LogStore, size: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: ANCHOR_RESULT_FORMAT,
    origin: ORIGIN,
    treeSize: size,
    digest: checkpointDigestHex(store.checkpoints.get(size)?.note ?? ''),
    state: 'submitted',
    chainId: 31337,
    txHash: `0x${'ab'.repeat(32)}`,
    from: `0x${'cd'.repeat(20)}`,
    observedAtMs: 10,
    ...overrides,
  };
}

describe('AnchorStore', () => {
  it('stores each state change, keeps the latest observation, and never moves a state back', async () => {
    const store = await storeWithCheckpoints([3]);
    const anchors = new AnchorStore(store.db, ORIGIN);
    expect(anchors.record(result(store, 3))).toBe('stored');
    expect(anchors.record(result(store, 3, { state: 'included', blockNumber: 7, observedAtMs: 20 }))).toBe('stored');
    expect(anchors.record(result(store, 3, { state: 'final', blockNumber: 7, observedAtMs: 30 }))).toBe('stored');
    expect(anchors.record(result(store, 3, { state: 'included', blockNumber: 7, observedAtMs: 25 }))).toBe('stale');
    expect(anchors.forCheckpoint(3)).toMatchObject([{ state: 'final', blockNumber: 7, chainId: 31337 }]);
    expect(anchors.largestFinalSize()).toBe(3);
  });

  it('refuses results for another origin, an unknown checkpoint or a wrong digest', async () => {
    const store = await storeWithCheckpoints([2]);
    const anchors = new AnchorStore(store.db, ORIGIN);
    expect(() => anchors.record(result(store, 2, { origin: 'other/gw' }))).toThrow(AnchoringError);
    expect(() => anchors.record(result(store, 2, { treeSize: 5 }))).toThrow(AnchoringError);
    expect(() => anchors.record(result(store, 2, { digest: `0x${'00'.repeat(32)}` }))).toThrow(AnchoringError);
    expect(anchors.forCheckpoint(2)).toEqual([]);
  });

  it('computes the anchoring lag from the newest final anchor', async () => {
    const store = await storeWithCheckpoints([2, 4, 6]);
    const anchors = new AnchorStore(store.db, ORIGIN);
    expect(anchors.lag(7, 10_000)).toEqual({ entries: 7, seconds: 8 });
    anchors.record(result(store, 4, { state: 'final', blockNumber: 1 }));
    expect(anchors.lag(7, 10_000)).toEqual({ entries: 3, seconds: 4 });
  });

  it('parses arbitrary job data without crashing: a result or E_ANCHOR_RESULT_INVALID', () => {
    const field = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.object());
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            format: fc.oneof(fc.constant(ANCHOR_RESULT_FORMAT), field),
            origin: field,
            treeSize: field,
            digest: fc.oneof(fc.constant(`0x${'11'.repeat(32)}`), field),
            state: fc.oneof(fc.constantFrom('submitted', 'included', 'final', 'superseded', 'failed'), field),
            chainId: field,
            observedAtMs: field,
            txHash: field,
            blockNumber: field,
            error: field,
          }),
        ),
        (value) => {
          try {
            parseAnchorResult(value);
          } catch (error) {
            expect(error).toBeInstanceOf(AnchoringError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
