/**
 * Message checks (payload schema, `dev` = kid, Ed25519 signature) spread over worker threads, while the main
 * thread runs the broker and the log (issue 3: signature checks are the ceiling, about 9,400/s per core with
 * node:crypto; measured in bench/suites/ingest.ts, the main thread was the busier one, so the payload decoding
 * moved to the workers too).
 *
 * Requests made in one turn of the event loop are sent together (one postMessage per worker per turn, at
 * most `maxBatch` requests each, split evenly over the workers), each batch to the worker with the least
 * outstanding work. A worker that
 * dies fails its outstanding requests with E_INGEST_VERIFY_UNAVAILABLE (those messages are not acknowledged,
 * so devices resend them) and is replaced.
 */
import { Worker } from 'node:worker_threads';
import { builtWorkerScript } from '../built-worker-script.js';
import { decodeCheckReply, encodeCheckBatch, type CheckBatchReply } from './check-batch-codec.js';
import type { CheckBatchMessage } from './check-worker.js';
import { IngestError } from './ingest-error.js';
import type { MessageCheckRequest, MessageCheckResult } from './message-check.js';
import type { MessageChecker } from './message-checker.js';

export interface WorkerCheckPoolOptions {
  readonly workers: number;
  /** Requests per postMessage at most (default 128). */
  readonly maxBatch?: number;
  /** The compiled worker script (default: check-worker.js, built, beside this module). */
  readonly workerScript?: URL;
}

interface Pending {
  readonly request: MessageCheckRequest;
  readonly resolve: (result: MessageCheckResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  outstanding: number;
  dead: boolean;
  readonly batches: Map<number, readonly Pending[]>;
}

export class WorkerCheckPool implements MessageChecker {
  private readonly slots: Slot[] = [];
  private pending: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private nextBatchId = 1;
  private readonly maxBatch: number;
  private readonly script: URL;

  private constructor(options: WorkerCheckPoolOptions) {
    this.maxBatch = options.maxBatch ?? 128;
    this.script = options.workerScript ?? builtWorkerScript(import.meta.url, 'check-worker.js');
  }

  static async start(options: WorkerCheckPoolOptions): Promise<WorkerCheckPool> {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError('a check pool needs at least one worker');
    const pool = new WorkerCheckPool(options);
    await Promise.all(Array.from({ length: options.workers }, () => pool.spawn()));
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  check(request: MessageCheckRequest): Promise<MessageCheckResult> {
    if (this.closed) return Promise.reject(new IngestError('E_INGEST_CLOSED', 'the check pool is closed'));
    return new Promise<MessageCheckResult>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (this.pending.length >= this.maxBatch * this.slots.length) {
        this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    // Let outstanding batches finish: their messages are on their way into the log.
    while (this.slots.some((slot) => slot.outstanding > 0)) await new Promise<void>((r) => setTimeout(r, 5));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    this.slots.length = 0;
  }

  private flush(): void {
    // Spread what is waiting over the workers (at most `maxBatch` per message): after a pause of the event loop
    // (a GC, a group commit) a burst would otherwise go to one worker whole, and its last message would wait
    // for all the others' signatures while another worker idles (tail latency, issue 3).
    const size = Math.min(this.maxBatch, Math.ceil(this.pending.length / Math.max(1, this.slots.length)));
    while (this.pending.length > 0 && this.slots.length > 0) {
      const batch = this.pending.splice(0, size);
      const slot = this.slots.reduce((best, s) => (s.outstanding < best.outstanding ? s : best));
      const id = this.nextBatchId++;
      let message: CheckBatchMessage;
      try {
        message = { id, buffer: encodeCheckBatch(batch.map((p) => p.request)) };
      } catch (error) {
        for (const p of batch) p.reject(error);
        continue;
      }
      slot.batches.set(id, batch);
      slot.outstanding += batch.length;
      slot.worker.postMessage(message, [message.buffer]);
    }
  }

  private spawn(): Promise<void> {
    // No inherited execArgv: a parent run with `--conditions source` (vitest) would make the worker import
    // TypeScript sources; workers always run the built code.
    const worker = new Worker(this.script, { execArgv: [] });
    const slot: Slot = { worker, outstanding: 0, dead: false, batches: new Map() };
    this.slots.push(slot);
    worker.on('message', (reply: CheckBatchReply) => {
      const batch = slot.batches.get(reply.id);
      if (batch === undefined) return;
      slot.batches.delete(reply.id);
      slot.outstanding -= batch.length;
      const results = decodeCheckReply(reply, batch.length);
      batch.forEach((p, i) => {
        const result = results[i];
        if (result === undefined) p.reject(new IngestError('E_INGEST_VERIFY_UNAVAILABLE', 'a check worker gave no result'));
        else p.resolve(result);
      });
    });
    const fail = (cause: unknown): void => {
      if (slot.dead) return;
      slot.dead = true;
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const error = new IngestError('E_INGEST_VERIFY_UNAVAILABLE', 'a message-check worker stopped', { cause });
      for (const batch of slot.batches.values()) for (const p of batch) p.reject(error);
      slot.batches.clear();
      slot.outstanding = 0;
      if (!this.closed) {
        this.spawn().then(
          () => this.flush(),
          () => undefined,
        );
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed || slot.outstanding > 0) fail(new Error(`worker exited with code ${code}`));
    });
    return new Promise<void>((resolve, reject) => {
      worker.once('online', () => resolve());
      worker.once('error', reject);
    });
  }
}
