/**
 * The WAL checkpointer's thread (wal-checkpointer.ts): its own connection to the state database, a PASSIVE
 * checkpoint every `intervalMs`, and nothing else. PASSIVE never waits for the main thread's connection:
 * it copies what it can and leaves the rest for the next time.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

export interface WalCheckpointWorkerData {
  readonly file: string;
  readonly intervalMs: number;
}

/** What the thread tells its owner. */
export type WalCheckpointReport =
  /** A pass that copied frames: how long it took, and the WAL's length in frames when it ran. */
  | { readonly type: 'checkpointed'; readonly ms: number; readonly walFrames: number }
  | { readonly type: 'failed'; readonly message: string };

/** What the owner tells the thread. */
export interface WalCheckpointStop {
  readonly type: 'stop';
}

if (parentPort !== null) {
  const port = parentPort;
  const { file, intervalMs } = workerData as WalCheckpointWorkerData;
  const report = (message: WalCheckpointReport): void => port.postMessage(message);
  let db: Database.Database | null = null;
  let timer: NodeJS.Timeout | undefined;
  // The WAL's frames and how many of them were copied, as of the last checkpoint: an unchanged pair means it
  // had nothing to do (the WAL restarts from its beginning only at the next write).
  let last = '';
  const stop = (): void => {
    clearInterval(timer);
    db?.close();
    db = null;
    port.close();
  };
  try {
    // fileMustExist: the owner created the database; a missing file is a misconfiguration, not a new database.
    db = new Database(file, { fileMustExist: true });
    db.pragma('synchronous = NORMAL');
    timer = setInterval(() => {
      try {
        const started = performance.now();
        const [result] = db?.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
        const now = `${result?.log}/${result?.checkpointed}`;
        // Only checkpoints that copied something are worth a message (and a histogram observation).
        if (result !== undefined && result.checkpointed > 0 && now !== last) {
          report({ type: 'checkpointed', ms: performance.now() - started, walFrames: result.log });
        }
        last = now;
      } catch (error) {
        report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
        stop();
      }
    }, intervalMs);
  } catch (error) {
    report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    stop();
  }
  port.on('message', (message: WalCheckpointStop) => {
    if (message.type === 'stop') stop();
  });
}
