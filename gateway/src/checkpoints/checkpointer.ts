/**
 * Signs a checkpoint (spec section 5) whenever the interval has passed or enough entries arrived, and there is
 * something new; and a final one on shutdown.
 *
 * Never two inconsistent checkpoints: every checkpoint is the root of the one append-only tree at a size
 * strictly larger than the previous checkpoint's (signing is serialized, and the store refuses anything
 * else), so each contains all earlier ones (RFC 9162 section 2.1.4). Before signing, the tree files are made
 * durable up to the size signed (`syncDerived`), so a signed root is never lost to a crash.
 *
 * A failure (disk full while storing the checkpoint) is logged and counted, and retried at the next trigger;
 * ingestion never waits for a checkpoint.
 */
import { openCheckpoint, createNoteVerifier, signCheckpoint } from '@trialgate/proof-formats';
import type { Clock } from '../clock.js';
import type { GatewayKey } from '../keys/gateway-key.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import type { CommittedEntry } from '../storage/gateway-log.js';
import type { TreeReader } from '../storage/tree-reader.js';
import { CheckpointError } from './checkpoint-error.js';
import type { CheckpointStore, StoredCheckpoint } from './checkpoint-store.js';
import { systemTimers, type TimerPort } from './timer-port.js';

/** What the checkpointer needs of the log (the durable log provides it). */
export interface CheckpointedLog {
  size(): number;
  onCommitted(listener: (entries: readonly CommittedEntry[]) => void): () => void;
  /** Makes the tree durable up to at least the returned size. */
  syncDerived(): Promise<number>;
}

export interface CheckpointerOptions {
  readonly origin: string;
  readonly log: CheckpointedLog;
  readonly tree: TreeReader;
  readonly checkpoints: CheckpointStore;
  readonly key: GatewayKey;
  readonly clock: Clock;
  /** Sign at least this often when there are new entries (default 60 s). */
  readonly intervalMs?: number;
  /** Sign once this many entries arrived since the last checkpoint (default 10,000). */
  readonly maxEntries?: number;
  readonly timers?: TimerPort;
  readonly logger?: Logger;
  readonly metrics?: GatewayMetrics;
  /** Called after each checkpoint is stored (the anchoring outbox hands it over). */
  readonly onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;
export const DEFAULT_CHECKPOINT_MAX_ENTRIES = 10_000;

export class Checkpointer {
  readonly #o: CheckpointerOptions;
  readonly #timers: TimerPort;
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #maxEntries: number;
  #latest: StoredCheckpoint | null;
  #chain: Promise<StoredCheckpoint | null> = Promise.resolve(null);
  #timer: unknown = null;
  #unsubscribe: (() => void) | null = null;
  #countTriggered = false;
  #stopped = false;

  constructor(options: CheckpointerOptions) {
    this.#o = options;
    this.#timers = options.timers ?? systemTimers;
    this.#log = options.logger ?? silentLogger();
    this.#intervalMs = options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    this.#maxEntries = options.maxEntries ?? DEFAULT_CHECKPOINT_MAX_ENTRIES;
    this.#latest = options.checkpoints.latest();
    if (this.#latest !== null) checkOwnCheckpoint(this.#latest, options);
    if (this.#latest !== null) options.metrics?.checkpointSize.set(this.#latest.treeSize);
  }

  /** Starts the interval timer and the entry-count trigger. */
  start(): void {
    this.#stopped = false;
    this.#unsubscribe = this.#o.log.onCommitted(() => {
      const since = this.#o.log.size() - (this.#latest?.treeSize ?? 0);
      if (since >= this.#maxEntries && !this.#countTriggered) {
        this.#countTriggered = true;
        setImmediate(() => {
          this.#countTriggered = false;
          if (!this.#stopped) void this.checkpointNow();
        });
      }
    });
    this.#arm();
  }

  latest(): StoredCheckpoint | null {
    return this.#latest;
  }

  /**
   * Signs and stores a checkpoint of the current tree if it grew since the last one; resolves to it, or to
   * null if there was nothing new or it failed (the failure is logged). Calls are serialized.
   */
  checkpointNow(): Promise<StoredCheckpoint | null> {
    const next = this.#chain.then(
      () => this.#sign(),
      () => this.#sign(),
    );
    this.#chain = next.catch(() => null);
    return next;
  }

  /** Stops the triggers and, unless `final` is false, signs a last checkpoint of everything logged. */
  async stop(options: { readonly final?: boolean } = {}): Promise<StoredCheckpoint | null> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    if (options.final === false) {
      await this.#chain;
      return null;
    }
    return this.checkpointNow();
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      void this.checkpointNow().finally(() => this.#arm());
    }, this.#intervalMs);
  }

  async #sign(): Promise<StoredCheckpoint | null> {
    const o = this.#o;
    const previous = this.#latest?.treeSize ?? 0;
    if (o.log.size() <= previous) return null;
    try {
      const durable = await o.log.syncDerived();
      const treeSize = Math.min(durable, o.tree.size());
      if (treeSize <= previous) return null;
      const rootHash = o.tree.root(treeSize);
      const note = signCheckpoint({ origin: o.origin, treeSize, rootHash }, [o.key.signer]);
      const now = o.clock.now();
      const checkpoint: StoredCheckpoint = { treeSize, rootHash, note, signedAtMs: now };
      await o.checkpoints.append(checkpoint, now);
      this.#latest = checkpoint;
      o.metrics?.checkpointsSigned.inc();
      o.metrics?.checkpointSize.set(treeSize);
      this.#log.info({ treeSize, previous }, 'checkpoint signed');
      o.onCheckpoint?.(checkpoint);
      return checkpoint;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      o.metrics?.storageErrors.inc({ code: typeof code === 'string' ? code : 'E_CHECKPOINT' });
      this.#log.error({ err: error }, 'could not sign or store a checkpoint; retrying at the next trigger');
      return null;
    }
  }
}

/** The latest stored checkpoint must be ours: same origin, signed by this key. */
function checkOwnCheckpoint(latest: StoredCheckpoint, options: CheckpointerOptions): void {
  let origin: string;
  try {
    origin = openCheckpoint(latest.note, [createNoteVerifier(options.key.origin, options.key.publicKey)]).checkpoint.origin;
  } catch (cause) {
    throw new CheckpointError(
      'E_CHECKPOINT_FOREIGN_KEY',
      `the latest checkpoint (size ${latest.treeSize}) is not signed by this gateway's key: was gateway.key replaced?`,
      { details: { treeSize: latest.treeSize }, cause },
    );
  }
  if (origin !== options.origin) {
    throw new CheckpointError('E_CHECKPOINT_ORIGIN', `the latest checkpoint is of ${origin}, not ${options.origin}`, {
      details: { origin, expected: options.origin },
    });
  }
}
