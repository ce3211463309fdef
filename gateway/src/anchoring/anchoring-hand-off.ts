/**
 * The gateway's side of anchoring, wired: the outbox that hands checkpoints to the anchor queue, the consumer
 * that stores the anchor service's results, and the anchoring-lag metrics. Without a Redis URL nothing is
 * handed over (the outbox rows wait; a later start with `--redis` hands the backlog over).
 *
 * BullMQ and ioredis (about 350 modules, a third of a second to load on the reference machine) are loaded
 * only when a Redis URL is configured, and then in the background: the gateway does not wait for them to
 * start listening (issue 3: start-up well under a second), and the outbox, which keeps every checkpoint until
 * the queue took it, simply hands the first one over once they are there.
 */
import type { Clock } from '../clock.js';
import type { TimerPort } from '../checkpoints/timer-port.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import type { StateDatabase } from '../storage/state-database.js';
import { AnchorOutbox } from './anchor-outbox.js';
import type { AnchorResultsConsumer } from './anchor-results-consumer.js';
import { AnchorStore } from './anchor-store.js';
import type { CheckpointQueue } from './checkpoint-queue.js';
import { redactRedisUrl } from './redact-redis-url.js';

export interface AnchoringHandOffOptions {
  readonly db: StateDatabase;
  readonly origin: string;
  /** Redis for BullMQ; null: no hand-off (the outbox keeps its rows). */
  readonly redisUrl: string | null;
  /** BullMQ key prefix (default `bull`). */
  readonly queuePrefix?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
  /** The log's size, for the lag in entries. */
  readonly treeSize: () => number;
  /** A queue to use instead of BullMQ (tests). */
  readonly queue?: CheckpointQueue;
  readonly timers?: TimerPort;
  /** How often the lag metrics are refreshed (default 5 s). */
  readonly metricsIntervalMs?: number;
  /** The outbox's retry backoff (default 1 s doubling to 60 s). */
  readonly outboxBackoff?: { readonly initialMs: number; readonly maxMs: number };
}

export interface AnchoringHandOff {
  readonly anchors: AnchorStore;
  /** Null when there is no queue. */
  readonly outbox: AnchorOutbox | null;
  /** Call after a checkpoint is stored: hands it over now. */
  checkpointStored(): void;
  refreshMetrics(): void;
  stop(): Promise<void>;
}

export function startAnchoringHandOff(options: AnchoringHandOffOptions): AnchoringHandOff {
  const anchors = new AnchorStore(options.db, options.origin);
  const refreshMetrics = (): void => {
    try {
      const lag = anchors.lag(options.treeSize(), options.clock.now());
      options.metrics?.anchoringLagEntries.set(lag.entries);
      options.metrics?.anchoringLagSeconds.set(lag.seconds);
    } catch (error) {
      options.logger.debug({ err: error }, 'could not refresh anchoring metrics');
    }
  };
  const redisUrl = options.redisUrl;
  const queue =
    options.queue ??
    (redisUrl === null
      ? null
      : loadedLater(
          import('./bullmq-checkpoint-queue.js').then(({ createBullmqCheckpointQueue }) =>
            createBullmqCheckpointQueue({
              redisUrl,
              logger: options.logger,
              ...(options.queuePrefix === undefined ? {} : { prefix: options.queuePrefix }),
            }),
          ),
        ));
  const outbox =
    queue === null
      ? null
      : new AnchorOutbox({
          db: options.db,
          origin: options.origin,
          queue,
          clock: options.clock,
          logger: options.logger,
          ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
          ...(options.timers === undefined ? {} : { timers: options.timers }),
          ...(options.outboxBackoff === undefined
            ? {}
            : { initialBackoffMs: options.outboxBackoff.initialMs, maxBackoffMs: options.outboxBackoff.maxMs }),
        });
  let consumer: Promise<AnchorResultsConsumer | null> = Promise.resolve(null);
  if (redisUrl !== null) {
    consumer = import('./anchor-results-consumer.js').then(
      ({ startAnchorResultsConsumer }) =>
        startAnchorResultsConsumer({
          redisUrl,
          origin: options.origin,
          anchors,
          logger: options.logger,
          onStored: refreshMetrics,
          ...(options.queuePrefix === undefined ? {} : { prefix: options.queuePrefix }),
          ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
        }),
      (error: unknown) => {
        options.logger.error({ err: error }, 'could not load the anchor results consumer');
        return null;
      },
    );
    options.logger.info({ redis: redactRedisUrl(redisUrl) }, 'anchoring hand-off started');
  } else {
    options.logger.info('no Redis configured: checkpoints wait in the anchoring outbox');
  }
  outbox?.start();
  refreshMetrics();
  const interval = setInterval(refreshMetrics, options.metricsIntervalMs ?? 5_000);
  interval.unref();
  return {
    anchors,
    outbox,
    checkpointStored: () => {
      outbox?.poke();
      refreshMetrics();
    },
    refreshMetrics,
    stop: async () => {
      clearInterval(interval);
      await outbox?.stop();
      await Promise.allSettled([queue?.close(), consumer.then((started) => started?.close())]);
    },
  };
}

/**
 * A queue whose implementation is still loading: `add` waits for it (a failed load fails every add, which the
 * outbox logs and retries as it does a Redis outage), `close` closes it if it loaded.
 */
function loadedLater(loading: Promise<CheckpointQueue>): CheckpointQueue {
  // Handled here too, so that a failed load before any add is not an unhandled rejection.
  loading.catch(() => undefined);
  return {
    add: async (jobId, data) => {
      const queue = await loading;
      await queue.add(jobId, data);
    },
    close: async () => {
      const queue = await loading.catch(() => null);
      await queue?.close();
    },
  };
}
