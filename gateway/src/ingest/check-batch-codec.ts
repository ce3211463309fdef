/**
 * One postMessage carries a batch of check requests packed into a single transferable ArrayBuffer (moved,
 * not copied, to the worker), since structured-cloning many small Uint8Arrays costs more than one copy:
 *
 *   u32 count, then per request (little-endian):
 *   u8 kind (0 device-message, 1 signature-only), u8 kid length, kid (UTF-8), 32-byte public key,
 *   64-byte signature, u8 protected length, protected, u32 payload length, payload
 *
 * The reply is a Float64Array of 3 numbers per request (1 passed / 0 failed, seq, t), transferred, plus the
 * few results that carry more (flags, a failure) as [position, result] pairs.
 */
import type { MessageCheckRequest, MessageCheckResult } from './message-check.js';

const KEY = 32;
const SIGNATURE = 64;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface CheckBatchReply {
  readonly id: number;
  readonly numbers: Float64Array;
  readonly extras: readonly (readonly [number, MessageCheckResult])[];
}

export function encodeCheckBatch(requests: readonly MessageCheckRequest[]): ArrayBuffer {
  const kids = requests.map((r) => encoder.encode(r.kid));
  let size = 4;
  requests.forEach((r, i) => {
    size += 2 + (kids[i]?.length ?? 0) + KEY + SIGNATURE + 1 + r.protectedBytes.length + 4 + r.payloadBytes.length;
  });
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  view.setUint32(0, requests.length, true);
  let at = 4;
  requests.forEach((r, i) => {
    const kid = kids[i] ?? new Uint8Array(0);
    // Lengths were checked by the COSE decoder and the registry (kid <= 64 bytes, protected 3 bytes); anything
    // else is a bug, so refuse rather than write a batch the worker would misread.
    if (r.publicKey.length !== KEY || r.signature.length !== SIGNATURE || kid.length > 255 || r.protectedBytes.length > 255) {
      throw new RangeError('check request with a field of the wrong length');
    }
    bytes[at] = r.kind === 'device-message' ? 0 : 1;
    bytes[at + 1] = kid.length;
    at += 2;
    bytes.set(kid, at);
    at += kid.length;
    bytes.set(r.publicKey, at);
    at += KEY;
    bytes.set(r.signature, at);
    at += SIGNATURE;
    bytes[at] = r.protectedBytes.length;
    at += 1;
    bytes.set(r.protectedBytes, at);
    at += r.protectedBytes.length;
    view.setUint32(at, r.payloadBytes.length, true);
    at += 4;
    bytes.set(r.payloadBytes, at);
    at += r.payloadBytes.length;
  });
  return buffer;
}

export function decodeCheckBatch(buffer: ArrayBuffer): MessageCheckRequest[] {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const count = view.getUint32(0, true);
  const requests: MessageCheckRequest[] = [];
  let at = 4;
  for (let i = 0; i < count; i += 1) {
    const kind = bytes[at] === 0 ? 'device-message' : 'signature-only';
    const kidLength = bytes[at + 1] ?? 0;
    at += 2;
    const kid = asciiOrUtf8(bytes, at, kidLength);
    at += kidLength;
    const publicKey = bytes.subarray(at, at + KEY);
    at += KEY;
    const signature = bytes.subarray(at, at + SIGNATURE);
    at += SIGNATURE;
    const protectedLength = bytes[at] ?? 0;
    at += 1;
    const protectedBytes = bytes.subarray(at, at + protectedLength);
    at += protectedLength;
    const payloadLength = view.getUint32(at, true);
    at += 4;
    const payloadBytes = bytes.subarray(at, at + payloadLength);
    at += payloadLength;
    requests.push({ kind, kid, publicKey, signature, protectedBytes, payloadBytes });
  }
  return requests;
}

export function encodeCheckReply(id: number, results: readonly MessageCheckResult[]): CheckBatchReply {
  const numbers = new Float64Array(results.length * 3);
  const extras: [number, MessageCheckResult][] = [];
  results.forEach((result, i) => {
    if (result.ok) {
      numbers[3 * i] = 1;
      numbers[3 * i + 1] = result.seq;
      numbers[3 * i + 2] = result.t;
      if (result.flags.length > 0) extras.push([i, result]);
    } else {
      extras.push([i, result]);
    }
  });
  return { id, numbers, extras };
}

export function decodeCheckReply(reply: CheckBatchReply, count: number): MessageCheckResult[] {
  const results: MessageCheckResult[] = [];
  for (let i = 0; i < count; i += 1) {
    results.push({ ok: true, seq: reply.numbers[3 * i + 1] ?? 0, t: reply.numbers[3 * i + 2] ?? 0, flags: [] });
  }
  for (const [i, result] of reply.extras) results[i] = result;
  return results;
}

/** Device ids are ASCII (spec section 1): built without TextDecoder, whose call costs more than the loop. */
function asciiOrUtf8(bytes: Uint8Array, at: number, length: number): string {
  let text = '';
  for (let i = at; i < at + length; i += 1) {
    const byte = bytes[i] ?? 0;
    if (byte >= 0x80) return decoder.decode(bytes.subarray(at, at + length));
    text += String.fromCharCode(byte);
  }
  return text;
}
