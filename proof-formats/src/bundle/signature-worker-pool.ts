/**
 * Device signatures of a bundle checked on worker threads. Ed25519 verification is what a sponsor waits for
 * (about 9,400 verifications/s per core with node:crypto on the reference machine, bench/README.md), so
 * `trialgate verify` spreads it over the cores while the calling thread decodes entries and walks proofs.
 *
 * Workers are spawned at once (a batch posted before a worker is online waits in its queue), get the device
 * key table once (`setKeys`), then batches of `BATCH` messages; each worker has at most `IN_FLIGHT` batches
 * outstanding, so a worker on a busier core takes fewer. The outcomes are exactly `checkSignedMessage`'s, in
 * request order. A worker that fails or exits has its batches checked on the calling thread instead: slower,
 * never a different answer.
 */
import { Worker } from 'node:worker_threads';
import type { Ed25519Verifier } from '@trialgate/firmware-protocol';
import type { SignedMessageOutcome } from './check-signed-message.js';
import {
  decodeSignatureReply,
  encodeSignatureBatch,
  type SignatureBatchMessage,
  type SignatureBatchReply,
  type SignatureWorkerKeys,
} from './signature-batch-codec.js';
import { inThreadSignedMessageChecker, type SignedMessageChecker, type SignedMessageRequest } from './signed-message-checker.js';

export interface SignatureWorkerPoolOptions {
  readonly workers: number;
  /** The compiled worker script (default: dist/bundle/signature-worker.js beside this module). */
  readonly workerScript?: URL;
}

const IN_FLIGHT = 2;

interface Batch {
  readonly requests: readonly SignedMessageRequest[];
  readonly resolve: (outcomes: readonly SignedMessageOutcome[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly outstanding: Map<number, Batch>;
  dead: boolean;
}

export function defaultSignatureWorkerScript(): URL {
  const here = new URL(import.meta.url);
  // Under vitest this module runs from its TypeScript source; worker threads always run the built code.
  return here.pathname.endsWith('.ts') ? new URL('../../dist/bundle/signature-worker.js', here) : new URL('./signature-worker.js', here);
}

export class SignatureWorkerPool implements SignedMessageChecker {
  private readonly slots: Slot[] = [];
  private readonly queue: Batch[] = [];
  private readonly deviceSlots = new Map<string, number>();
  private fallback: SignedMessageChecker = inThreadSignedMessageChecker(new Map());
  private nextId = 1;
  private closed = false;

  /** Spawns the workers without waiting for them: start it early, give it the keys once they are known. */
  constructor(options: SignatureWorkerPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError('a signature worker pool needs at least one worker');
    const script = options.workerScript ?? defaultSignatureWorkerScript();
    for (let i = 0; i < options.workers; i++) this.spawn(script);
  }

  get workers(): number {
    return this.slots.filter((s) => !s.dead).length;
  }

  /** The device key table: every device whose signed entries will be checked, with its verifiers. */
  setKeys(verifiers: ReadonlyMap<string, readonly Ed25519Verifier[]>): void {
    this.fallback = inThreadSignedMessageChecker(verifiers);
    this.deviceSlots.clear();
    const devices: [string, Uint8Array[]][] = [];
    for (const [deviceId, list] of verifiers) {
      this.deviceSlots.set(deviceId, devices.length);
      devices.push([deviceId, list.map((v) => v.publicKey)]);
    }
    const message: SignatureWorkerKeys = { type: 'keys', devices };
    for (const slot of this.slots) if (!slot.dead) slot.worker.postMessage(message);
  }

  check(requests: readonly SignedMessageRequest[]): Promise<readonly SignedMessageOutcome[]> {
    if (requests.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(new Error('the signature worker pool is closed'));
    // A device outside the key table (never the case from verifyBundle) is checked here, against no key.
    if (requests.some((r) => !this.deviceSlots.has(r.deviceId))) return this.fallback.check(requests);
    return new Promise((resolve, reject) => {
      this.queue.push({ requests, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const slots = this.slots.splice(0);
    for (const slot of slots) slot.dead = true;
    for (const batch of this.queue.splice(0)) this.checkHere(batch);
    for (const slot of slots) for (const batch of slot.outstanding.values()) this.checkHere(batch);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const live = this.slots.filter((s) => !s.dead && s.outstanding.size < IN_FLIGHT);
      if (live.length === 0) {
        if (this.slots.every((s) => s.dead)) for (const batch of this.queue.splice(0)) this.checkHere(batch);
        return;
      }
      const slot = live.reduce((best, s) => (s.outstanding.size < best.outstanding.size ? s : best));
      const batch = this.queue.shift();
      if (batch === undefined) return;
      const id = this.nextId++;
      const buffer = encodeSignatureBatch(batch.requests.map((r) => ({ slot: this.deviceSlots.get(r.deviceId) ?? 0, original: r.original })));
      slot.outstanding.set(id, batch);
      const message: SignatureBatchMessage = { type: 'check', id, buffer };
      slot.worker.postMessage(message, [buffer]);
    }
  }

  private checkHere(batch: Batch): void {
    this.fallback.check(batch.requests).then(batch.resolve, batch.reject);
  }

  private spawn(script: URL): void {
    // No inherited execArgv: a parent run with `--conditions source` (vitest) would make the worker import
    // TypeScript sources; workers always run the built code.
    const worker = new Worker(script, { execArgv: [] });
    const slot: Slot = { worker, outstanding: new Map(), dead: false };
    this.slots.push(slot);
    worker.on('message', (reply: SignatureBatchReply) => {
      const batch = slot.outstanding.get(reply.id);
      if (batch === undefined) return;
      slot.outstanding.delete(reply.id);
      batch.resolve(decodeSignatureReply(reply, batch.requests.length));
      this.dispatch();
    });
    const fail = (): void => {
      if (slot.dead) return;
      slot.dead = true;
      const batches = [...slot.outstanding.values()];
      slot.outstanding.clear();
      for (const batch of batches) this.checkHere(batch);
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
  }
}
