import { describe, expect, it } from 'vitest';
import { newAnchorRecord, type AnchorRecord } from '../state/anchor-record.js';
import { resultJobId, resultsFor, unpostedResults } from './anchor-results.js';

const digest = `0x${'ab'.repeat(32)}` as const;
const from = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' as const;
const hashA = `0x${'0a'.repeat(32)}` as const;
const hashB = `0x${'0b'.repeat(32)}` as const;
const block = `0x${'0c'.repeat(32)}` as const;

const waiting = newAnchorRecord(31337, 'trial.example/gw', 9, digest, 1);
const attempt = (hash: `0x${string}`, broadcast: boolean) => ({
  hash,
  gas: '26736',
  maxFeePerGas: '3',
  maxPriorityFeePerGas: '1',
  signedAtMs: 2,
  ...(broadcast ? { broadcastAtMs: 3 } : {}),
});
const pending: AnchorRecord = { ...waiting, state: 'pending', from, nonce: 0, attempts: [attempt(hashA, true), attempt(hashB, false)] };
const final: AnchorRecord = { ...pending, state: 'final', inclusion: { txHash: hashA, blockNumber: 5, blockHash: block } };

describe('anchor results', () => {
  it('posts nothing while waiting, and submitted only for a broadcast attempt', () => {
    expect(resultsFor(waiting, 10)).toEqual([]);
    const results = resultsFor(pending, 10);
    expect(results.map((entry) => [entry.result.state, entry.result.txHash])).toEqual([['submitted', hashA]]);
    expect(results[0]?.result).toMatchObject({ format: 'tg-anchor-result/1', origin: 'trial.example/gw', treeSize: 9, digest, chainId: 31337, from, observedAtMs: 10 });
  });

  it('never skips a state: a record found final posts submitted, included and final in order', () => {
    expect(unpostedResults(final, 10).map((entry) => entry.result.state)).toEqual(['submitted', 'included', 'final']);
    const afterIncluded = { ...final, posted: resultsFor(final, 10)[1]?.key ?? '' };
    expect(unpostedResults(afterIncluded, 11).map((entry) => entry.result.state)).toEqual(['final']);
    expect(unpostedResults({ ...final, posted: resultsFor(final, 10)[2]?.key ?? '' }, 12)).toEqual([]);
    expect(resultsFor(final, 10)[2]?.result).toMatchObject({ state: 'final', txHash: hashA, blockNumber: 5, blockHash: block, from });
  });

  it('gives a reorged anchor new result keys, so its repeated submitted and included are not deduplicated away', () => {
    const before = resultsFor({ ...final, state: 'included' }, 10).map((entry) => entry.key);
    const after = resultsFor({ ...final, state: 'included', reorgs: 1, inclusion: { txHash: hashA, blockNumber: 6, blockHash: hashB } }, 10).map(
      (entry) => entry.key,
    );
    expect(after.filter((key) => before.includes(key))).toEqual([]);
  });

  it('posts superseded with the covering size, and job ids BullMQ accepts (no colon)', () => {
    const superseded: AnchorRecord = { ...waiting, state: 'superseded', supersededBy: 20 };
    const [entry] = resultsFor(superseded, 10);
    expect(entry?.result).toMatchObject({ state: 'superseded', supersededBy: 20 });
    expect(resultJobId(superseded, entry?.key ?? '')).toBe('31337-9-superseded-20');
    for (const key of resultsFor(final, 1).map((item) => item.key)) expect(resultJobId(final, key)).not.toContain(':');
  });
});
