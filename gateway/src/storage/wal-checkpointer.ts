/**
 * Checkpoints the state database's write-ahead log on a worker thread, so the main thread does almost none of it.
 *
 * SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1,000 pages: on the main thread,
 * in the middle of a group commit, copying pages into the database file and fsyncing it. Measured with the seq
 * index under load, that was a stall of 8 to 12 ms on the event loop every second or so, with every PUBACK
 * waiting behind it (issue 3, PUBACK p99). Here a thread with its own connection runs a PASSIVE checkpoint every
 * `intervalMs` (it waits for no one, and no one waits for it), which copies the pages off the main thread.
 *
 * A checkpoint from another connection cannot restart the WAL, though: SQLite starts the WAL over only at a
 * write that finds every frame copied, and under steady load the main connection writes new frames while the
 * thread copies (measured: the WAL grew by 300 MB/s under continuous commits, without end). So once the WAL
 * is longer than `restartFrames`, the main connection runs one PASSIVE checkpoint itself right after a pass of
 * the thread (between commits, never inside one): it only has the frames of the last moments left to copy,
 * and the write after it starts the WAL over. Its automatic checkpoint stays on at four times that length, in
 * case the thread falls silent, and goes back to SQLite's 1,000 pages when the thread fails or stops.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { builtWorkerScript } from '../built-worker-script.js';
import type { Logger } from '../observability/logger.js';
import type { StateDatabase } from './state-database.js';
import type { WalCheckpointReport, WalCheckpointStop, WalCheckpointWorkerData } from './wal-checkpoint-worker.js';

/** SQLite's own default, restored when the thread is gone. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
const DEFAULT_WAL_CHECKPOINT_INTERVAL_MS = 200;
/** WAL length (frames of a 4 KiB page) past which the main connection restarts it after a thread pass: 64 MiB. */
const DEFAULT_WAL_RESTART_FRAMES = 16_384;

export interface WalCheckpointerOptions {
  /** The main connection: its automatic checkpoint is set to four times `restartFrames` while the thread runs. */
  readonly db: StateDatabase;
  /** The database file (the thread opens its own connection to it). */
  readonly file: string;
  /** How often the thread checkpoints (ms; default 200). */
  readonly intervalMs?: number;
  /** WAL length in frames past which the main connection restarts the WAL after a thread pass (default 16,384). */
  readonly restartFrames?: number;
  readonly logger: Logger;
  /** Each checkpoint that copied pages (its duration, and whether the main thread ran it), for the metrics. */
  readonly onCheckpoint?: (seconds: number, thread: 'checkpointer' | 'main') => void;
  /** The compiled worker script (default: wal-checkpoint-worker.js, built, beside this module). */
  readonly workerScript?: URL;
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
    this.#worker = new Worker(options.workerScript ?? builtWorkerScript(import.meta.url, 'wal-checkpoint-worker.js'), { workerData, execArgv: [] });
    const restartFrames = options.restartFrames ?? DEFAULT_WAL_RESTART_FRAMES;
    options.db.pragma(`wal_autocheckpoint = ${4 * restartFrames}`);
    this.#worker.on('message', (report: WalCheckpointReport) => {
      if (report.type === 'checkpointed') {
        options.onCheckpoint?.(report.ms / 1000, 'checkpointer');
        if (report.walFrames > restartFrames && this.#running) this.#restartWal();
      } else if (report.type === 'failed') {
        this.#fallBack(new Error(report.message));
      }
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

  /** Stops the thread (its connection closed) and gives every checkpoint back to the main connection. */
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

  /** The main connection's checkpoint after a thread pass: little left to copy; the next write restarts the WAL. */
  #restartWal(): void {
    const started = performance.now();
    try {
      if (!this.#options.db.open) return;
      this.#options.db.pragma('wal_checkpoint(PASSIVE)');
      this.#options.onCheckpoint?.((performance.now() - started) / 1000, 'main');
    } catch (error) {
      // Busy or failing: the automatic checkpoint remains, and the next pass tries again.
      this.#options.logger.warn({ err: error }, 'could not checkpoint the WAL from the main thread');
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
