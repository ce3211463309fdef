/**
 * `CheckpointQueue` on BullMQ: jobs on `CHECKPOINT_QUEUE_NAME` with id `checkpointJobId(origin, size)`, so a
 * re-offer of the same checkpoint (after a crash between the add and the outbox update) is a no-op while the
 * job is kept. Completed jobs are kept 30 days (at most 10,000); failed ones are kept for the operator.
 */
import { Queue } from 'bullmq';
import { CHECKPOINT_QUEUE_NAME, type CheckpointJobData } from '@trialgate/proof-formats';
import type { Logger } from '../observability/logger.js';
import type { CheckpointQueue } from './checkpoint-queue.js';
import { createRedisConnection } from './redis-connection.js';

export const CHECKPOINT_JOB_NAME = 'checkpoint';

export interface BullmqCheckpointQueueOptions {
  readonly redisUrl: string;
  /** BullMQ key prefix (default `bull`); the anchor service must use the same. */
  readonly prefix?: string;
  readonly logger: Logger;
}

export function createBullmqCheckpointQueue(options: BullmqCheckpointQueueOptions): CheckpointQueue {
  const connection = createRedisConnection(options.redisUrl, 'producer', options.logger);
  const queue = new Queue<CheckpointJobData>(CHECKPOINT_QUEUE_NAME, {
    connection,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  });
  // Connection errors surface as rejected adds (the outbox retries); the event itself is only noise.
  queue.on('error', () => undefined);
  return {
    async add(jobId, data) {
      await queue.add(CHECKPOINT_JOB_NAME, data, {
        jobId,
        removeOnComplete: { age: 30 * 24 * 3600, count: 10_000 },
        removeOnFail: false,
      });
    },
    async close() {
      try {
        await queue.close();
      } finally {
        connection.disconnect();
      }
    },
  };
}
