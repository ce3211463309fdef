/**
 * An entry as the API shows it: its bytes and leaf hash (what is proven), the entry's fields, the original
 * decoded for reading, and its flags (computed from the bytes, as ingestion computed them: entry-flags.ts).
 * Attacker-controlled: `original` is what a device sent; decoding failures are reported, never thrown.
 */
import {
  decodeCborStrict,
  decodeDeviceMessage,
  decodeGattValue,
  isTrialgateError,
} from '@trialgate/firmware-protocol';
import { decodeLogEntry, encodeBase64 } from '@trialgate/proof-formats';
import { entryFlags, type EntryFlag } from '../ingest/entry-flags.js';
import { cborToJson, type JsonValue } from './cbor-json.js';

export interface EntryReading {
  readonly index: number;
  readonly leaf_hash: string;
  /** The stored entry bytes, base64: what the leaf hash is of. */
  readonly entry: string;
  readonly received_at: string;
  readonly received_at_ms: number;
  readonly transport: string;
  readonly device_id: string;
  readonly content_type: string;
  /** The original bytes as received, base64. */
  readonly original: string;
  readonly decoded: JsonValue;
  readonly decode_error: { readonly code: string; readonly message: string } | null;
  readonly flags: readonly EntryFlag[];
}

export function readEntryForApi(
  index: number,
  bytes: Uint8Array,
  leafHash: Uint8Array,
  clockSkewToleranceMs: number,
): EntryReading {
  const entry = decodeLogEntry(bytes, { maxBytes: bytes.length });
  let decoded: JsonValue = null;
  let decodeError: EntryReading['decode_error'] = null;
  try {
    if (entry.contentType === 'cose-sign1') {
      const message = decodeDeviceMessage(entry.original, { maxBytes: entry.original.length });
      decoded = { kid: message.cose.kid, payload: cborToJson(message.payload) };
    } else if (entry.contentType.startsWith('gatt:')) {
      decoded = cborToJson(decodeGattValue(entry.contentType.slice('gatt:'.length), entry.original));
    } else {
      decoded = cborToJson(decodeCborStrict(entry.original, { maxBytes: entry.original.length }));
    }
  } catch (error) {
    decodeError = isTrialgateError(error)
      ? { code: error.code, message: error.message }
      : { code: 'E_DECODE', message: 'the original could not be decoded' };
  }
  return {
    index,
    leaf_hash: encodeBase64(leafHash),
    entry: encodeBase64(bytes),
    received_at: new Date(entry.receivedAtMs).toISOString(),
    received_at_ms: entry.receivedAtMs,
    transport: entry.transport,
    device_id: entry.deviceId,
    content_type: entry.contentType,
    original: encodeBase64(entry.original),
    decoded,
    decode_error: decodeError,
    flags: entryFlags(entry, { clockSkewToleranceMs }),
  };
}
