import { decodeCborStrict, isTrialgateError } from '@trialgate/firmware-protocol';
import { bytesEqual } from '../encoding/bytes.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { isContentType, isTransport } from './content-type.js';
import { encodeLogEntry, isValidEntryDeviceId } from './encode-log-entry.js';
import { LOG_ENTRY_VERSION, type LogEntry } from './log-entry.js';

/** Entries larger than this are refused unless the caller raises the limit. */
export const MAX_LOG_ENTRY_BYTES = 64 * 1024;

export interface DecodeLogEntryOptions {
  /** Default `MAX_LOG_ENTRY_BYTES`. */
  readonly maxBytes?: number;
}

/**
 * Decodes stored entry bytes strictly (spec section 4). Attacker-controlled: the bytes come from a bundle or
 * a segment file. Refused, as `E_ENTRY_DECODE`: anything strict CBOR refuses (trailing bytes, indefinite
 * lengths, oversize input; the CBOR error is the `cause`), a shape other than the 6-element array, a version
 * other than 1, a timestamp beyond 2^53 - 1, an unknown transport or content type, a device id outside the
 * spec's pattern. Refused as `E_ENTRY_NOT_CANONICAL`: bytes that decode but are not the preferred
 * serialization `encodeLogEntry` writes (a long integer head, say), so that one entry has exactly one byte
 * string and so one leaf hash.
 */
export function decodeLogEntry(bytes: Uint8Array, options: DecodeLogEntryOptions = {}): LogEntry {
  let value;
  try {
    value = decodeCborStrict(bytes, { maxBytes: options.maxBytes ?? MAX_LOG_ENTRY_BYTES, maxDepth: 2 });
  } catch (error) {
    if (!isTrialgateError(error)) throw error;
    throw new ProofFormatError('E_ENTRY_DECODE', `log entry: ${error.message}`, {
      details: { cborCode: error.code },
      cause: error,
    });
  }
  const fail = (why: string): never => {
    throw new ProofFormatError('E_ENTRY_DECODE', `log entry: ${why}`);
  };
  if (!Array.isArray(value) || value.length !== 6) fail('not a 6-element CBOR array');
  const [version, receivedAtMs, transport, deviceId, contentType, original] = value as readonly unknown[];
  if (version !== LOG_ENTRY_VERSION) fail('unknown entry version (expected 1)');
  if (typeof receivedAtMs !== 'number' || !Number.isSafeInteger(receivedAtMs) || receivedAtMs < 0) {
    fail('receivedAtMs is not an unsigned integer below 2^53');
  }
  if (!isTransport(transport)) fail('unknown transport');
  if (!isContentType(contentType)) fail('unknown content type');
  if (typeof deviceId !== 'string' || !isValidEntryDeviceId(contentType as string, deviceId)) fail('invalid device id');
  if (!(original instanceof Uint8Array)) fail('original is not a byte string');
  const entry = { receivedAtMs, transport, deviceId, contentType, original } as LogEntry;
  if (!bytesEqual(encodeLogEntry(entry), bytes)) {
    throw new ProofFormatError(
      'E_ENTRY_NOT_CANONICAL',
      'log entry: not in preferred CBOR serialization (shortest heads, definite lengths)',
    );
  }
  return entry;
}
