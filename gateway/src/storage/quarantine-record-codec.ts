/**
 * A quarantine record as stored in `quarantine/quarantine.tgq`: UTF-8 JSON (one framed record each), the
 * original bytes in base64, so an auditor reads the file with any JSON tool:
 *
 *   {"id":1,"receivedAtMs":...,"transport":"mqtt","claimedDeviceId":"dev-1","source":"tg/v1/dev/dev-1/up",
 *    "reason":"E_COSE_SIGNATURE","message":"...","details":{...},"original":"<base64>"}
 *
 * `details` holds plain data; byte arrays in it are written as base64 strings and bigints as decimal strings.
 */
import type { QuarantineRecord } from './gateway-log.js';
import { StorageError } from './storage-error.js';

export function encodeQuarantineRecord(record: QuarantineRecord): Uint8Array {
  const json = JSON.stringify(
    {
      id: record.id,
      receivedAtMs: record.receivedAtMs,
      transport: record.transport,
      claimedDeviceId: record.claimedDeviceId,
      source: record.source,
      reason: record.reason,
      message: record.message,
      details: record.details,
      original: Buffer.from(record.original).toString('base64'),
    },
    (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      return value;
    },
  );
  return Buffer.from(json, 'utf8');
}

/** Attacker-controlled: the quarantine file's bytes (checked by their CRC, but parsed defensively). */
export function decodeQuarantineRecord(payload: Uint8Array): QuarantineRecord {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (cause) {
    throw damaged('not JSON', cause);
  }
  if (typeof value !== 'object' || value === null) throw damaged('not an object');
  const v = value as Record<string, unknown>;
  const { id, receivedAtMs, transport, claimedDeviceId, source, reason, message, details, original } = v;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw damaged('id');
  if (typeof receivedAtMs !== 'number' || !Number.isFinite(receivedAtMs)) throw damaged('receivedAtMs');
  if (typeof transport !== 'string' || typeof reason !== 'string' || typeof message !== 'string') {
    throw damaged('text fields');
  }
  if (claimedDeviceId !== null && typeof claimedDeviceId !== 'string') throw damaged('claimedDeviceId');
  if (source !== null && typeof source !== 'string') throw damaged('source');
  if (typeof details !== 'object' || details === null || Array.isArray(details)) throw damaged('details');
  if (typeof original !== 'string') throw damaged('original');
  return {
    id,
    receivedAtMs,
    transport,
    claimedDeviceId,
    source,
    reason,
    message,
    details: details as Record<string, unknown>,
    original: new Uint8Array(Buffer.from(original, 'base64')),
  };
}

function damaged(what: string, cause?: unknown): StorageError {
  return new StorageError('E_STORAGE_CORRUPT', `a quarantine record is damaged (${what})`, {
    details: { field: what },
    ...(cause === undefined ? {} : { cause }),
  });
}
