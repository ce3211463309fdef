/**
 * Checkpoints the state database's write-ahead log on a worker thread, so the main thread never does.
 *
 * SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages: on the main thread, in the
 * middle of a group commit, copying pages into the database file and fsyncing it. Measured with the seq index
 * under load, that was a stall of 8 to 12 ms on the event loop every few seconds, with every PUBACK waiting
 * behind it (issue 3, PUBACK p99). Here the main connection's automatic checkpoint is off and a thread with its
 * own connection runs a PASSIVE checkpoint every `intervalMs` (it waits for no one, and no one waits for it).
 * Should that thread fail or stop, the main connection checkpoints automatically again, as before: the WAL
 * never grows without bound.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../observability/logger.js';
import type { StateDatabase } from './state-database.js';
import type { WalCheckpointReport, WalCheckpointStop, WalCheckpointWorkerData } from './wal-checkpoint-worker.js';

/** SQLite's own default, restored when the thread is gone. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
export const DEFAULT_WAL_CHECKPOINT_INTERVAL_MS = 200;

export interface WalCheckpointerOptions {
  /** The main connection: its automatic checkpoint is turned off while the thread runs. */
  readonly db: StateDatabase;
  /** The database file (the thread opens its own connection to it). */
  readonly file: string;
  readonly intervalMs?: number;
  readonly logger: Logger;
  /** Each checkpoint that copied pages (its duration), for the metrics. */
  readonly onCheckpoint?: (seconds: number) => void;
  /** The compiled worker script (default: dist/storage/wal-checkpoint-worker.js beside this module). */
  readonly workerScript?: URL;
}

export function defaultWalCheckpointWorkerScript(): URL {
  const here = new URL(import.meta.url);
  // Under vitest this module runs from its TypeScript source; worker threads always run the built code.
  return here.pathname.endsWith('.ts') ? new URL('../../dist/storage/wal-checkpoint-worker.js', here) : new URL('./wal-checkpoint-worker.js', here);
}

export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;
  readonly #options: WalCheckpointerOptions;
  #running = true;

  private constructor(options: WalCheckpointerOptions) {
    this.#options = options;
    const workerData: WalCheckpointWorkerData = { file: options.file, intervalMs: options.intervalMs ?? DEFAULT_WAL_CHECKPOINT_INTERVAL_MS };
    // No inherited execArgv: a parent run with `--conditions source` (vitest) would make the worker import TypeScript.
    this.#worker = new Worker(options.workerScript ?? defaultWalCheckpointWorkerScript(), { workerData, execArgv: [] });
    // Off from the start: until the thread reports, nothing has grown the WAL yet that the thread will not copy.
    options.db.pragma('wal_autocheckpoint = 0');
    this.#worker.on('message', (report: WalCheckpointReport) => {
      if (report.type === 'checkpointed') options.onCheckpoint?.(report.ms / 1000);
      else if (report.type === 'failed') this.#fallBack(new Error(report.message));
    });
    this.#worker.on('error', (error) => this.#fallBack(error));
    this.#exited = new Promise<void>((resolve) => {
      this.#worker.once('exit', () => {
        if (this.#running) this.#fallBack(new Error('the WAL checkpoint thread exited'));
        resolve();
      });
    });
    // The gateway's process may end while the thread still runs: it must not keep the process alive.
    this.#worker.unref();
  }

  static start(options: WalCheckpointerOptions): WalCheckpointer {
    return new WalCheckpointer(options);
  }

  /** True while checkpoints run on the thread (false once stopped or failed: the main connection does them). */
  get running(): boolean {
    return this.#running;
  }

  /** Stops the thread (its connection closed) and gives checkpoints back to the main connection. */
  async stop(): Promise<void> {
    if (this.#running) {
      this.#running = false;
      this.#restoreAutoCheckpoint();
      this.#worker.postMessage({ type: 'stop' } satisfies WalCheckpointStop);
    }
    const timeout = setTimeout(() => void this.#worker.terminate(), 5_000);
    try {
      await this.#exited;
    } finally {
      clearTimeout(timeout);
    }
  }

  #fallBack(error: unknown): void {
    if (!this.#running) return;
    this.#running = false;
    this.#restoreAutoCheckpoint();
    this.#options.logger.warn({ err: error }, 'WAL checkpoints moved back to the main thread');
    void this.#worker.terminate();
  }

  #restoreAutoCheckpoint(): void {
    try {
      if (this.#options.db.open) this.#options.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
    } catch {
      // The database is closing: nothing left to checkpoint from here.
    }
  }
}
