/**
 * The fields of a stored entry that selections filter on (`receivedAtMs`, `transport`, `deviceId`,
 * `contentType`), read without decoding the original. Export scans every entry of the log, and the strict
 * decoder (proof-formats `decodeLogEntry`, which also re-encodes to check canonical form) costs ~30 µs per
 * entry; this reads the five heads of the spec section 4 array in well under a microsecond.
 *
 * Attacker-controlled: the bytes of a segment file (CRC-checked, but parsed defensively). Anything other than
 * the exact shape `encodeLogEntry` writes (array of 6, version 1, shortest heads, text strings, then a byte
 * string) is handed to `decodeLogEntry`, which accepts or refuses it with its typed errors; so this never
 * disagrees with the strict decoder (a property test checks it).
 */
import { decodeLogEntry, isContentType, isTransport, isValidEntryDeviceId } from '@trialgate/proof-formats';
import { MAX_ENTRY_BYTES } from './storage-limits.js';

export interface EntryHeader {
  readonly receivedAtMs: number;
  readonly transport: string;
  readonly deviceId: string;
  readonly contentType: string;
}

export function readEntryHeader(bytes: Uint8Array): EntryHeader {
  return fastHeader(bytes) ?? strictHeader(bytes);
}

function strictHeader(bytes: Uint8Array): EntryHeader {
  const entry = decodeLogEntry(bytes, { maxBytes: MAX_ENTRY_BYTES });
  return { receivedAtMs: entry.receivedAtMs, transport: entry.transport, deviceId: entry.deviceId, contentType: entry.contentType };
}

/** The canonical shape only; null for anything else (the strict decoder decides then). */
function fastHeader(bytes: Uint8Array): EntryHeader | null {
  // 0x86: array of 6; 0x01: version 1.
  if (bytes.length < 8 || bytes.length > MAX_ENTRY_BYTES || bytes[0] !== 0x86 || bytes[1] !== 0x01) return null;
  let at = 2;
  const head = (major: number): number | null => {
    const initial = bytes[at];
    if (initial === undefined || initial >> 5 !== major) return null;
    const info = initial & 0x1f;
    at += 1;
    if (info < 24) return info;
    const width = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (width === 0 || at + width > bytes.length) return null;
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + (bytes[at + i] ?? 0);
    at += width;
    // Shortest form only (what encodeLogEntry writes), and exact as a number.
    const minimum = width === 1 ? 24 : width === 2 ? 0x100 : width === 4 ? 0x10000 : 0x100000000;
    if (value < minimum || !Number.isSafeInteger(value)) return null;
    return value;
  };
  const text = (): string | null => {
    const length = head(3);
    if (length === null || length > 1024 || at + length > bytes.length) return null;
    for (let i = at; i < at + length; i++) {
      // ASCII only on the fast path: ids, transports and content types are ASCII in practice.
      if ((bytes[i] ?? 0x80) >= 0x80) return null;
    }
    const value = Buffer.from(bytes.buffer, bytes.byteOffset + at, length).toString('latin1');
    at += length;
    return value;
  };
  const receivedAtMs = head(0);
  if (receivedAtMs === null) return null;
  const transport = text();
  const deviceId = text();
  const contentType = text();
  if (transport === null || deviceId === null || contentType === null) return null;
  // The strict decoder's own checks of these values (proof-formats), so the two never disagree.
  if (!isTransport(transport) || !isContentType(contentType) || !isValidEntryDeviceId(contentType, deviceId)) return null;
  const originalLength = head(2);
  if (originalLength === null || at + originalLength !== bytes.length) return null;
  return { receivedAtMs, transport, deviceId, contentType };
}
