/**
 * The results port on BullMQ: one `Queue` per results queue name (one per gateway origin), sharing one Redis
 * connection. Completed result jobs are kept for a week (at most 10,000 per queue) so that a re-post with the
 * same job id within that time is a no-op; failed ones are kept for the gateway's operator to see.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AnchorResultData } from '@trialgate/proof-formats';
import type { AnchorResultSink } from './anchor-result-sink.js';

export const ANCHOR_RESULT_JOB_NAME = 'anchor-result';

export interface BullmqAnchorResultSinkParameters {
  readonly connection: Redis;
  /** BullMQ key prefix (default `bull`), the same as the gateway's. */
  readonly prefix: string;
}

export function createBullmqAnchorResultSink(parameters: BullmqAnchorResultSinkParameters): AnchorResultSink {
  const queues = new Map<string, Queue<AnchorResultData>>();
  const queueFor = (name: string): Queue<AnchorResultData> => {
    let queue = queues.get(name);
    if (queue === undefined) {
      queue = new Queue<AnchorResultData>(name, { connection: parameters.connection, prefix: parameters.prefix });
      // BullMQ re-emits connection errors; the lifecycle sees them as failed posts and retries.
      queue.on('error', () => undefined);
      queues.set(name, queue);
    }
    return queue;
  };
  return {
    async post(queueName, result, jobId) {
      await queueFor(queueName).add(ANCHOR_RESULT_JOB_NAME, result, {
        jobId,
        removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
        removeOnFail: false,
      });
    },
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      queues.clear();
    },
  };
}
