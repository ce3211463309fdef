/**
 * Consumes the anchor service's reports on `anchorResultsQueueName(origin)` (BullMQ worker) and stores each
 * with its checkpoint (anchor-store.ts). A result that is malformed or not about one of this gateway's
 * checkpoints fails its job at once (UnrecoverableError: kept in the failed set for the operator, logged,
 * never retried); everything else is stored durably before the job completes, so a crash re-delivers it.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import { anchorResultsQueueName } from '@trialgate/proof-formats';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { AnchorStore } from './anchor-store.js';
import { AnchoringError } from './anchoring-error.js';
import { createRedisConnection } from './redis-connection.js';

export interface AnchorResultsConsumerOptions {
  readonly redisUrl: string;
  readonly prefix?: string;
  readonly origin: string;
  readonly anchors: AnchorStore;
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
  /** Called after each stored result (metrics such as the anchoring lag are refreshed). */
  readonly onStored?: () => void;
}

export interface AnchorResultsConsumer {
  close(): Promise<void>;
}

export function startAnchorResultsConsumer(options: AnchorResultsConsumerOptions): AnchorResultsConsumer {
  const connection = createRedisConnection(options.redisUrl, 'worker', options.logger);
  const worker = new Worker(
    anchorResultsQueueName(options.origin),
    (job) => {
      try {
        const outcome = options.anchors.record(job.data);
        const data = job.data as { state?: unknown; treeSize?: unknown; chainId?: unknown };
        if (outcome === 'stored') {
          options.metrics?.anchorResults.inc({ state: String(data.state) });
          options.logger.info({ treeSize: data.treeSize, chainId: data.chainId, state: data.state }, 'anchor state stored');
          options.onStored?.();
        }
        return Promise.resolve(outcome);
      } catch (error) {
        if (error instanceof AnchoringError) {
          options.logger.warn({ err: error, jobId: job.id }, 'refused an anchor result');
          throw new UnrecoverableError(error.message);
        }
        throw error;
      }
    },
    {
      connection,
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      concurrency: 1,
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    },
  );
  worker.on('error', (error) => {
    options.logger.debug({ err: error }, 'anchor results worker error');
  });
  return {
    async close() {
      try {
        await worker.close();
      } finally {
        connection.disconnect();
      }
    },
  };
}
