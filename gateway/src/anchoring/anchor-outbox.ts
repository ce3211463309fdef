/**
 * The anchoring outbox: every stored checkpoint has a row in `anchor_outbox` (written in the checkpoint's own
 * transaction, checkpoint-store.ts); this dispatcher hands each to the checkpoint queue, in size order, as
 * job `checkpointJobId(origin, size)` (idempotent: a re-offer after a crash is the same job).
 *
 * While the queue is unreachable nothing else waits: ingestion and checkpointing go on, rows accumulate, and
 * the dispatcher retries with exponential backoff (1 s doubling to 60 s, with jitter), without limit, since
 * the backlog must reach the anchor service when Redis returns. Each attempt is bounded (the queue adapter
 * fails fast when disconnected). It never throws out of its loop.
 */
import {
  CHECKPOINT_JOB_FORMAT,
  anchorResultsQueueName,
  checkpointDigestHex,
  checkpointJobId,
  type CheckpointJobData,
} from '@trialgate/proof-formats';
import type { Clock } from '../clock.js';
import { systemTimers, type TimerPort } from '../checkpoints/timer-port.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { StateDatabase } from '../storage/state-database.js';
import type { CheckpointQueue } from './checkpoint-queue.js';

export interface AnchorOutboxOptions {
  readonly db: StateDatabase;
  readonly origin: string;
  readonly queue: CheckpointQueue;
  readonly clock: Clock;
  readonly timers?: TimerPort;
  readonly logger?: Logger;
  readonly metrics?: GatewayMetrics;
  /** First retry delay (default 1 s); doubles up to `maxBackoffMs` (default 60 s). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Randomness for jitter, in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

interface OutboxRow {
  readonly tree_size: number;
  readonly attempts: number;
  readonly note: string;
}

export class AnchorOutbox {
  readonly #o: AnchorOutboxOptions;
  readonly #timers: TimerPort;
  readonly #log: Logger;
  #running = false;
  #draining: Promise<void> | null = null;
  #again = false;
  #timer: unknown = null;

  constructor(options: AnchorOutboxOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
    this.#log = options.logger ?? silentLogger();
  }

  start(): void {
    this.#running = true;
    this.poke();
  }

  /** Hands over whatever is due now (called after each new checkpoint). */
  poke(): void {
    if (!this.#running) return;
    if (this.#draining !== null) {
      this.#again = true;
      return;
    }
    this.#draining = this.#drain().finally(() => {
      this.#draining = null;
      if (this.#again && this.#running) {
        this.#again = false;
        this.poke();
      }
    });
  }

  /** Checkpoints not yet handed over. */
  backlog(): number {
    const row = this.#o.db.prepare('SELECT COUNT(*) AS n FROM anchor_outbox WHERE handed_over_at_ms IS NULL').get() as {
      n: number;
    };
    return row.n;
  }

  /** Waits for an attempt in progress, then stops (rows stay for the next start). */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#draining;
  }

  async #drain(): Promise<void> {
    const o = this.#o;
    try {
      for (;;) {
        if (!this.#running) return;
        const now = o.clock.now();
        const due = o.db
          .prepare(
            `SELECT o.tree_size, o.attempts, c.note FROM anchor_outbox o JOIN checkpoints c ON c.tree_size = o.tree_size
             WHERE o.handed_over_at_ms IS NULL AND o.next_attempt_at_ms <= ? ORDER BY o.tree_size LIMIT 50`,
          )
          .all(now) as OutboxRow[];
        if (due.length === 0) break;
        for (const row of due) {
          if (!this.#running) return;
          const data: CheckpointJobData = {
            format: CHECKPOINT_JOB_FORMAT,
            origin: o.origin,
            treeSize: row.tree_size,
            note: row.note,
            digest: checkpointDigestHex(row.note),
            resultsQueue: anchorResultsQueueName(o.origin),
          };
          try {
            await o.queue.add(checkpointJobId(o.origin, row.tree_size), data);
            o.db
              .prepare('UPDATE anchor_outbox SET handed_over_at_ms = ?, attempts = attempts + 1, last_error = NULL WHERE tree_size = ?')
              .run(o.clock.now(), row.tree_size);
            this.#log.info({ treeSize: row.tree_size }, 'checkpoint handed to the anchor queue');
          } catch (error) {
            const attempts = row.attempts + 1;
            const delay = this.#backoff(attempts);
            o.db
              .prepare('UPDATE anchor_outbox SET attempts = ?, next_attempt_at_ms = ?, last_error = ? WHERE tree_size = ?')
              .run(attempts, o.clock.now() + delay, errorText(error), row.tree_size);
            // Everything behind it would fail the same way: wait for the backoff, keep the order.
            o.db
              .prepare('UPDATE anchor_outbox SET next_attempt_at_ms = MAX(next_attempt_at_ms, ?) WHERE handed_over_at_ms IS NULL')
              .run(o.clock.now() + delay);
            const log = attempts === 1 || attempts % 10 === 0 ? this.#log.warn.bind(this.#log) : this.#log.debug.bind(this.#log);
            log({ err: error, treeSize: row.tree_size, attempts, retryInMs: delay }, 'the anchor queue is unreachable; retrying');
            break;
          }
        }
      }
    } catch (error) {
      this.#log.error({ err: error }, 'the anchoring outbox failed; retrying');
    } finally {
      this.#o.metrics?.anchorOutboxBacklog.set(this.#safeBacklog());
      this.#scheduleNext();
    }
  }

  #scheduleNext(): void {
    if (!this.#running) return;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    const row = this.#o.db
      .prepare('SELECT MIN(next_attempt_at_ms) AS next FROM anchor_outbox WHERE handed_over_at_ms IS NULL')
      .get() as { next: number | null };
    if (row.next === null) return;
    const wait = Math.max(0, row.next - this.#o.clock.now());
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.poke();
    }, wait);
  }

  #backoff(attempts: number): number {
    const initial = this.#o.initialBackoffMs ?? 1000;
    const max = this.#o.maxBackoffMs ?? 60_000;
    const base = Math.min(max, initial * 2 ** Math.min(attempts - 1, 30));
    const jitter = (this.#o.random ?? Math.random)();
    return Math.round(base * (0.75 + 0.5 * jitter));
  }

  #safeBacklog(): number {
    try {
      return this.backlog();
    } catch {
      return 0;
    }
  }
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
