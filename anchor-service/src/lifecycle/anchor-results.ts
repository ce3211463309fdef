/**
 * Which results the gateway must have seen for a record in its current state, in lifecycle order
 * (submitted -> included -> final, or superseded), each with a stable key. The lifecycle posts those after
 * the one it posted last (`record.posted`), so no state is skipped even when the chain moves faster than
 * the polling, and a crash between posting and recording repeats a post under the same job id.
 */
import { ANCHOR_RESULT_FORMAT, type AnchorResultData } from '@trialgate/proof-formats';
import { lastBroadcastAttempt, type AnchorRecord } from '../state/anchor-record.js';

export interface PendingResult {
  readonly key: string;
  readonly result: AnchorResultData;
}

export function resultsFor(record: AnchorRecord, nowMs: number): readonly PendingResult[] {
  const base = {
    format: ANCHOR_RESULT_FORMAT,
    origin: record.origin,
    treeSize: record.treeSize,
    digest: record.digest,
    chainId: record.chainId,
    observedAtMs: nowMs,
  } as const;
  const from = record.from === undefined ? {} : { from: record.from };
  const submitted = (txHash: `0x${string}`): PendingResult => ({
    key: `submitted-${txHash}-r${record.reorgs}-a${record.reanchors}`,
    result: { ...base, state: 'submitted', txHash, ...from },
  });
  switch (record.state) {
    case 'waiting':
      return [];
    case 'superseded':
      return record.supersededBy === undefined
        ? []
        : [{ key: `superseded-${record.supersededBy}`, result: { ...base, state: 'superseded', supersededBy: record.supersededBy } }];
    case 'pending': {
      const attempt = lastBroadcastAttempt(record);
      return attempt === undefined ? [] : [submitted(attempt.hash)];
    }
    case 'included':
    case 'final': {
      const inclusion = record.inclusion;
      if (inclusion === undefined) return [];
      const onChain = { txHash: inclusion.txHash, ...from, blockNumber: inclusion.blockNumber, blockHash: inclusion.blockHash };
      const included: PendingResult = {
        key: `included-${inclusion.txHash}-${inclusion.blockHash}-r${record.reorgs}`,
        result: { ...base, state: 'included', ...onChain },
      };
      if (record.state === 'included') return [submitted(inclusion.txHash), included];
      return [submitted(inclusion.txHash), included, { key: `final-${inclusion.txHash}`, result: { ...base, state: 'final', ...onChain } }];
    }
  }
}

/** The results not yet posted: those after `posted` in the sequence, or all of them if `posted` is not in it. */
export function unpostedResults(record: AnchorRecord, nowMs: number): readonly PendingResult[] {
  const all = resultsFor(record, nowMs);
  const at = all.findIndex((entry) => entry.key === record.posted);
  return at < 0 ? all : all.slice(at + 1);
}

/** BullMQ job ids may not contain ':'; ours are `<chainId>-<treeSize>-<key>`. */
export function resultJobId(record: AnchorRecord, key: string): string {
  return `${record.chainId}-${record.treeSize}-${key}`;
}
