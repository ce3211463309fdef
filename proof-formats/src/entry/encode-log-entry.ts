import { encodeCbor, isDeviceId } from '@trialgate/firmware-protocol';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { isContentType, isTransport } from './content-type.js';
import { LOG_ENTRY_VERSION, type LogEntry } from './log-entry.js';

/**
 * Encodes a log entry (spec section 4) as the CBOR array `[1, receivedAtMs, transport, deviceId,
 * contentType, original]`: definite lengths and preferred (shortest) integer and length heads (RFC 8949
 * section 4.1 / 4.2.1), `original` as a byte string holding exactly the bytes received. The encoder is
 * firmware-protocol's `encodeCbor` (cbor-x would write a large `receivedAtMs` as a float and tag byte
 * strings). These bytes are what is stored and hashed; nobody re-encodes them later.
 */
export function encodeLogEntry(entry: LogEntry): Uint8Array {
  assertLogEntry(entry);
  return encodeCbor([LOG_ENTRY_VERSION, entry.receivedAtMs, entry.transport, entry.deviceId, entry.contentType, entry.original]);
}

/**
 * Which device ids an entry may carry: a device's data (`cose-sign1`, `gatt:*`) and registry changes name a
 * device (spec section 1 pattern); the gateway's own records (`gateway`) name the device they concern, or
 * nobody (the empty string) when they concern the gateway itself.
 */
export function isValidEntryDeviceId(contentType: string, deviceId: string): boolean {
  if (contentType === 'gateway' && deviceId === '') return true;
  return isDeviceId(deviceId);
}

/** Throws `E_ENTRY_INVALID` unless `entry` is a well-formed log entry. */
export function assertLogEntry(entry: LogEntry): void {
  const fail = (why: string): never => {
    throw new ProofFormatError('E_ENTRY_INVALID', `invalid log entry: ${why}`);
  };
  if (typeof entry !== 'object' || entry === null) fail('not an object');
  if (!Number.isSafeInteger(entry.receivedAtMs) || entry.receivedAtMs < 0) {
    fail('receivedAtMs must be a non-negative safe integer (ms since the Unix epoch)');
  }
  if (!isTransport(entry.transport)) fail('transport must be mqtt, ble, serial or admin');
  if (!isContentType(entry.contentType)) fail('contentType must be cose-sign1, registry, gateway or gatt:<hex uuid>');
  if (typeof entry.deviceId !== 'string' || !isValidEntryDeviceId(entry.contentType, entry.deviceId)) {
    fail('deviceId must be a device id (spec section 1)');
  }
  if (!(entry.original instanceof Uint8Array)) fail('original must be a Uint8Array');
}
