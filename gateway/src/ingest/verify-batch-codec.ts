/**
 * One postMessage carries a batch of verification requests packed into a single transferable ArrayBuffer
 * (moved, not copied, to the worker), since structured-cloning many small Uint8Arrays costs more than the
 * copy into one buffer:
 *
 *   u32 count, then per request: 32-byte public key, 64-byte signature, u32 message length, message
 *
 * (little-endian). The reply is one byte per request: 1 valid, 0 not.
 */
import type { VerifyRequest } from './signature-verifier.js';

const KEY = 32;
const SIGNATURE = 64;

export function encodeVerifyBatch(requests: readonly VerifyRequest[]): ArrayBuffer {
  let size = 4;
  for (const request of requests) size += KEY + SIGNATURE + 4 + request.message.length;
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  view.setUint32(0, requests.length, true);
  let offset = 4;
  for (const request of requests) {
    // Lengths were checked by the COSE decoder and the registry; anything else would be a bug, so refuse.
    if (request.publicKey.length !== KEY || request.signature.length !== SIGNATURE) {
      throw new RangeError('verify request with a key or signature of the wrong length');
    }
    bytes.set(request.publicKey, offset);
    bytes.set(request.signature, offset + KEY);
    view.setUint32(offset + KEY + SIGNATURE, request.message.length, true);
    bytes.set(request.message, offset + KEY + SIGNATURE + 4);
    offset += KEY + SIGNATURE + 4 + request.message.length;
  }
  return buffer;
}

export function decodeVerifyBatch(buffer: ArrayBuffer): VerifyRequest[] {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const count = view.getUint32(0, true);
  const requests: VerifyRequest[] = [];
  let offset = 4;
  for (let i = 0; i < count; i += 1) {
    const length = view.getUint32(offset + KEY + SIGNATURE, true);
    requests.push({
      publicKey: bytes.subarray(offset, offset + KEY),
      signature: bytes.subarray(offset + KEY, offset + KEY + SIGNATURE),
      message: bytes.subarray(offset + KEY + SIGNATURE + 4, offset + KEY + SIGNATURE + 4 + length),
    });
    offset += KEY + SIGNATURE + 4 + length;
  }
  return requests;
}
