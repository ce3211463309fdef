import { isContentType, isTransport } from '../entry/content-type.js';
import { MAX_LOG_ENTRY_BYTES } from '../entry/decode-log-entry.js';
import { isValidEntryDeviceId } from '../entry/encode-log-entry.js';
import type { LogEntry } from '../entry/log-entry.js';

/**
 * A log entry (spec section 4) read straight from its bytes when they are exactly what `encodeLogEntry`
 * writes: `0x86 0x01`, a shortest-form uint, three ASCII text strings, a byte string ending the input. The
 * strict `decodeLogEntry` decodes generically and then re-encodes the entry to check its canonical form,
 * which is most of a verifier's per-entry cost after the signature; checking the heads directly is the same
 * test. Anything else answers `undefined`, and the caller runs `decodeLogEntry`, which accepts or refuses with
 * its typed errors; so the two never disagree (a property test checks it, on valid, arbitrary and mutated
 * bytes).
 *
 * Attacker-controlled: the entry bytes of a bundle.
 */
export function readLogEntryFast(bytes: Uint8Array): LogEntry | undefined {
  // decodeLogEntry's default size limit; 0x86: array of 6; 0x01: version 1.
  if (bytes.length < 8 || bytes.length > MAX_LOG_ENTRY_BYTES || bytes[0] !== 0x86 || bytes[1] !== 0x01) return undefined;
  let at = 2;
  const head = (major: number): number | undefined => {
    const initial = bytes[at];
    if (initial === undefined || initial >> 5 !== major) return undefined;
    const info = initial & 0x1f;
    at += 1;
    if (info < 24) return info;
    const width = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (width === 0 || at + width > bytes.length) return undefined;
    let value = 0;
    for (let i = 0; i < width; i++) value = value * 256 + (bytes[at + i] ?? 0);
    at += width;
    // Preferred serialization (RFC 8949 section 4.2.1): the shortest head, and exact as a number.
    const minimum = width === 1 ? 24 : width === 2 ? 0x100 : width === 4 ? 0x10000 : 0x100000000;
    if (value < minimum || !Number.isSafeInteger(value)) return undefined;
    return value;
  };
  const text = (): string | undefined => {
    const length = head(3);
    if (length === undefined || at + length > bytes.length) return undefined;
    // ASCII only (then it is valid UTF-8 too): transports, content types and device ids are ASCII.
    for (let i = at; i < at + length; i++) if ((bytes[i] ?? 0x80) >= 0x80) return undefined;
    const value = Buffer.from(bytes.buffer, bytes.byteOffset + at, length).toString('latin1');
    at += length;
    return value;
  };
  const receivedAtMs = head(0);
  if (receivedAtMs === undefined) return undefined;
  const transport = text();
  const deviceId = text();
  const contentType = text();
  if (transport === undefined || deviceId === undefined || contentType === undefined) return undefined;
  // decodeLogEntry's own checks of these values.
  if (!isTransport(transport) || !isContentType(contentType) || !isValidEntryDeviceId(contentType, deviceId)) return undefined;
  const originalLength = head(2);
  if (originalLength === undefined || at + originalLength !== bytes.length) return undefined;
  return { receivedAtMs, transport, deviceId, contentType, original: bytes.subarray(at) };
}
