/**
 * The stored bytes of a log entry (spec section 4): `[1, receivedAtMs, transport, deviceId, contentType,
 * original]` as CBOR with preferred (shortest) heads.
 *
 * Interim: proof-formats will export `encodeLogEntry`; until then this encodes with firmware-protocol's
 * `encodeCbor`, which writes exactly the spec's shape. Replace the body with a re-export once it lands.
 */
import { decodeCborStrict, encodeCbor } from '@trialgate/firmware-protocol';
import { LOG_ENTRY_VERSION, type ContentType, type LogEntry } from '@trialgate/proof-formats';
import { StorageError } from './storage-error.js';

export function entryBytes(entry: LogEntry): Uint8Array {
  return encodeCbor([
    LOG_ENTRY_VERSION,
    entry.receivedAtMs,
    entry.transport,
    entry.deviceId,
    entry.contentType,
    entry.original,
  ]);
}

/**
 * Decodes stored entry bytes (interim, until proof-formats exports `decodeLogEntry`). Attacker-controlled: the
 * bytes come from the segment files; anything that is not the spec's 6-element array is refused.
 */
export function decodeEntryBytes(bytes: Uint8Array): LogEntry {
  const value = decodeCborStrict(bytes, { maxBytes: bytes.length });
  if (!Array.isArray(value) || value.length !== 6) throw notAnEntry('not a 6-element array');
  const [version, receivedAtMs, transport, deviceId, contentType, original] = value as readonly unknown[];
  if (version !== LOG_ENTRY_VERSION) throw notAnEntry('unknown version');
  if (typeof receivedAtMs !== 'number' || !Number.isSafeInteger(receivedAtMs) || receivedAtMs < 0) {
    throw notAnEntry('receivedAtMs');
  }
  if (transport !== 'mqtt' && transport !== 'ble' && transport !== 'serial' && transport !== 'admin') {
    throw notAnEntry('transport');
  }
  if (typeof deviceId !== 'string' || typeof contentType !== 'string' || !(original instanceof Uint8Array)) {
    throw notAnEntry('field types');
  }
  return { receivedAtMs, transport, deviceId, contentType: contentType as ContentType, original };
}

function notAnEntry(what: string): StorageError {
  return new StorageError('E_STORAGE_CORRUPT', `stored bytes are not a log entry (${what})`);
}
