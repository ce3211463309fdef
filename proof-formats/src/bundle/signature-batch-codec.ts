import type { SignedMessageOutcome } from './check-signed-message.js';

/**
 * How batches of signed entries travel to the signature worker threads and their outcomes back: one
 * transferable buffer per batch instead of a structured clone of many small arrays.
 *
 * Batch: `u32 count`, then per message `u32 device slot, u32 length, bytes` (little-endian). A device slot is
 * the position of the device in the key table the worker was given (`SignatureWorkerKeys`).
 * Reply: one float64 per message, its `seq` when it passed (seqs are safe integers), NaN when it failed, and
 * the failures (rare) as `[position, code, message]`.
 */
export interface SignatureBatchRequest {
  readonly slot: number;
  readonly original: Uint8Array;
}

export interface SignatureBatchMessage {
  readonly type: 'check';
  readonly id: number;
  readonly buffer: ArrayBuffer;
}

export interface SignatureWorkerKeys {
  readonly type: 'keys';
  /** Per device slot: the device id and its public keys (each already accepted by createEd25519Verifier). */
  readonly devices: readonly (readonly [string, readonly Uint8Array[]])[];
}

export interface SignatureBatchReply {
  readonly id: number;
  readonly seqs: Float64Array;
  readonly failures: readonly (readonly [number, string, string])[];
}

export function encodeSignatureBatch(requests: readonly SignatureBatchRequest[]): ArrayBuffer {
  let size = 4;
  for (const r of requests) size += 8 + r.original.length;
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  view.setUint32(0, requests.length, true);
  let at = 4;
  for (const r of requests) {
    view.setUint32(at, r.slot, true);
    view.setUint32(at + 4, r.original.length, true);
    bytes.set(r.original, at + 8);
    at += 8 + r.original.length;
  }
  return buffer;
}

/** Only ever reads buffers `encodeSignatureBatch` wrote (main thread to its own workers). */
export function decodeSignatureBatch(buffer: ArrayBuffer): SignatureBatchRequest[] {
  const view = new DataView(buffer);
  const count = view.getUint32(0, true);
  const requests: SignatureBatchRequest[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    const slot = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    requests.push({ slot, original: new Uint8Array(buffer, at + 8, length) });
    at += 8 + length;
  }
  return requests;
}

export function encodeSignatureReply(id: number, outcomes: readonly SignedMessageOutcome[]): SignatureBatchReply {
  const seqs = new Float64Array(outcomes.length);
  const failures: [number, string, string][] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.ok) {
      seqs[i] = outcome.seq;
    } else {
      seqs[i] = Number.NaN;
      failures.push([i, outcome.code, outcome.message]);
    }
  });
  return { id, seqs, failures };
}

export function decodeSignatureReply(reply: SignatureBatchReply, count: number): SignedMessageOutcome[] {
  const outcomes: SignedMessageOutcome[] = [];
  for (let i = 0; i < count; i++) outcomes.push({ ok: true, seq: reply.seqs[i] ?? Number.NaN });
  for (const [i, code, message] of reply.failures) outcomes[i] = { ok: false, code, message };
  return outcomes;
}
