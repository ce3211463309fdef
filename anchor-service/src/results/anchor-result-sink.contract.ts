/**
 * The contract every `AnchorResultSink` meets (memory adapter in a unit test, BullMQ adapter against the
 * machine's Redis): results arrive in order, and a re-post under the same job id is one result.
 */
import { ANCHOR_RESULT_FORMAT, type AnchorResultData } from '@trialgate/proof-formats';
import { describe, expect, it } from 'vitest';
import type { AnchorResultSink } from './anchor-result-sink.js';

export interface ResultSinkUnderTest {
  readonly sink: AnchorResultSink;
  /** Every result on `queueName`, oldest first. */
  read(queueName: string): Promise<readonly AnchorResultData[]>;
}

const result = (state: AnchorResultData['state'], observedAtMs: number): AnchorResultData => ({
  format: ANCHOR_RESULT_FORMAT,
  origin: 'trial.example/gw',
  treeSize: 4,
  digest: `0x${'ab'.repeat(32)}`,
  state,
  chainId: 31337,
  txHash: `0x${'cd'.repeat(32)}`,
  observedAtMs,
});

export function describeAnchorResultSinkContract(name: string, open: () => Promise<ResultSinkUnderTest>): void {
  describe(`AnchorResultSink contract: ${name}`, () => {
    it('keeps results per queue, in the order posted', async () => {
      const { sink, read } = await open();
      await sink.post('tg-anchor-results-a', result('submitted', 1), '31337-4-submitted');
      await sink.post('tg-anchor-results-a', result('included', 2), '31337-4-included');
      await sink.post('tg-anchor-results-b', result('final', 3), '31337-4-final');
      expect((await read('tg-anchor-results-a')).map((entry) => entry.state)).toEqual(['submitted', 'included']);
      expect((await read('tg-anchor-results-b')).map((entry) => entry.state)).toEqual(['final']);
      await sink.close();
    });

    it('treats a re-post under the same job id as one result', async () => {
      const { sink, read } = await open();
      await sink.post('tg-anchor-results-c', result('final', 5), '31337-4-final-x');
      await sink.post('tg-anchor-results-c', result('final', 6), '31337-4-final-x');
      const stored = await read('tg-anchor-results-c');
      expect(stored).toHaveLength(1);
      expect(stored[0]?.observedAtMs).toBe(5);
      await sink.close();
    });
  });
}
