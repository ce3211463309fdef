/**
 * The results port: where each state of an anchor goes back to the gateway (`AnchorResultData`, posted on
 * the job's `resultsQueue`). `jobId` is deterministic per (chain, tree size, state, transaction), so a state
 * posted twice after a crash is one job while the first is still in the queue; the gateway still treats
 * results as idempotent updates.
 */
import type { AnchorResultData } from '@trialgate/proof-formats';

export interface AnchorResultSink {
  post(queueName: string, result: AnchorResultData, jobId: string): Promise<void>;
  close(): Promise<void>;
}

/** Test support and single-process use: keeps results in memory, in order, per queue. */
export interface MemoryAnchorResultSink extends AnchorResultSink {
  readonly posted: { readonly queueName: string; readonly jobId: string; readonly result: AnchorResultData }[];
}

export function createMemoryAnchorResultSink(): MemoryAnchorResultSink {
  const posted: { queueName: string; jobId: string; result: AnchorResultData }[] = [];
  return {
    posted,
    post(queueName, result, jobId) {
      if (!posted.some((entry) => entry.queueName === queueName && entry.jobId === jobId)) posted.push({ queueName, jobId, result });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}
