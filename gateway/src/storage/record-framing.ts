/**
 * The framing of every append-only file the gateway writes (log segments, quarantine, checkpoints):
 *
 *   record = u32 BE n || n bytes payload || u32 BE CRC-32(n || payload)
 *
 * CRC-32 is the IEEE 802.3 polynomial (zlib's `crc32`, Python's `zlib.crc32`), so an auditor can walk a file
 * with a few lines of any language (docs/storage.md). The length comes first so a reader can skip; the
 * checksum comes last and covers the length, so a record cut anywhere (a torn write at power loss: missing
 * bytes, or a zero-filled tail the file system extended) never passes for a whole one.
 */
import { crc32 } from 'node:zlib';
import { MAX_ENTRY_BYTES } from './storage-limits.js';

export const RECORD_OVERHEAD = 8;

/** Appends the framed `payload` to `target` at `offset`; returns the offset after it. */
export function writeRecord(target: Buffer, offset: number, payload: Uint8Array): number {
  target.writeUInt32BE(payload.length, offset);
  target.set(payload, offset + 4);
  const end = offset + 4 + payload.length;
  target.writeUInt32BE(crc32(target.subarray(offset, end)), end);
  return end + 4;
}

export function framedLength(payload: Uint8Array): number {
  return payload.length + RECORD_OVERHEAD;
}

export function frameRecord(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(framedLength(payload));
  writeRecord(out, 0, payload);
  return out;
}

export type RecordScan =
  /** A whole record: the payload is `buffer[payloadStart, payloadStart + length)`; the next starts at `end`. */
  | { readonly kind: 'record'; readonly payloadStart: number; readonly length: number; readonly end: number }
  /** The buffer ends inside a record whose length is plausible: read more (or, at end of file, a torn tail). */
  | { readonly kind: 'incomplete'; readonly needed: number }
  /** Not a record: an implausible length or a checksum mismatch. */
  | { readonly kind: 'invalid'; readonly reason: 'length' | 'checksum' };

/**
 * Reads the record at `offset` of `buffer`. Attacker-controlled: the bytes are whatever is on disk (a torn
 * write, a damaged or altered file); every length is checked against `maxPayload` before it is used, so a
 * wrong length never makes a reader allocate or read gigabytes.
 */
export function scanRecord(buffer: Uint8Array, offset: number, maxPayload = MAX_ENTRY_BYTES): RecordScan {
  const available = buffer.length - offset;
  if (available < 4) return { kind: 'incomplete', needed: RECORD_OVERHEAD };
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const length = view.getUint32(offset);
  // Zero-length payloads are never written: a zero length is a zero-filled (torn) tail.
  if (length === 0 || length > maxPayload) return { kind: 'invalid', reason: 'length' };
  const total = length + RECORD_OVERHEAD;
  if (available < total) return { kind: 'incomplete', needed: total };
  const crcAt = offset + 4 + length;
  const expected = view.getUint32(crcAt);
  if (crc32(buffer.subarray(offset, crcAt)) !== expected) return { kind: 'invalid', reason: 'checksum' };
  return { kind: 'record', payloadStart: offset + 4, length, end: offset + total };
}
