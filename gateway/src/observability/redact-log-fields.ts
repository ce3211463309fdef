/**
 * What never reaches a log line (ARCHITECTURE.md "Logs"; 21 CFR 11 and trial confidentiality): readings, the
 * bytes of any message, keys, tokens and passwords. Redaction is by construction rather than by listing
 * paths: every object logged goes through `redactLogFields`, which
 * - replaces every byte array (Buffer, Uint8Array, ArrayBuffer) with its length, since raw bytes are readings,
 *   keys or signatures and are never useful in a log line;
 * - replaces the value of any field whose name says it holds a reading or a secret (below), at any depth.
 * A component that wants a reading's shape in a log logs its type or length under another name on purpose.
 */
const SENSITIVE_EXACT = new Set([
  'original',
  'payload',
  'data',
  'reading',
  'readings',
  'value',
  'values',
  'body',
  'entry',
  'key',
  'seed',
  'note',
  'cookie',
  'authorization',
  'password',
  'passwd',
  'pass',
]);

/** Any field name containing one of these (case-insensitive) is redacted. */
const SENSITIVE_PARTS = ['secret', 'token', 'password', 'privatekey', 'private_key', 'apikey', 'api_key', 'bearer'];

export const REDACTED = '[redacted]';

const MAX_DEPTH = 6;
const MAX_ARRAY = 50;

export function isSensitiveFieldName(name: string): boolean {
  const lower = name.toLowerCase();
  if (SENSITIVE_EXACT.has(lower)) return true;
  return SENSITIVE_PARTS.some((part) => lower.includes(part));
}

export function redactLogFields(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ARRAY).map((item: unknown) => redactLogFields(item, depth + 1));
    if (value.length > MAX_ARRAY) items.push(`[${value.length - MAX_ARRAY} more]`);
    return items;
  }
  if (value instanceof Error) return redactError(value, depth);
  if (value instanceof Map) return `[Map of ${value.size}]`;
  if (value instanceof Set) return `[Set of ${value.size}]`;
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    out[name] = isSensitiveFieldName(name) ? REDACTED : redactLogFields(field, depth + 1);
  }
  return out;
}

/** Errors keep type, code, message, details (redacted) and cause; stack only for errors that are not ours. */
function redactError(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  const withCode = error as Error & { code?: unknown; details?: unknown };
  if (withCode.code !== undefined) out['code'] = withCode.code;
  if (withCode.details !== undefined) out['details'] = redactLogFields(withCode.details, depth + 1);
  if (withCode.code === undefined && error.stack !== undefined) out['stack'] = error.stack;
  if (error.cause !== undefined) out['cause'] = redactLogFields(error.cause, depth + 1);
  return out;
}
