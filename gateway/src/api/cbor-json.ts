/**
 * Decoded CBOR as JSON for reading (entries in the API): maps become objects (keys as text), byte strings
 * base64 text, big integers decimal text, tags `{"tag": n, "value": ...}`. For display only: the entry's
 * bytes, not this, are what is hashed and proven.
 */
import { CborFloat, CborTag, type CborValue } from '@trialgate/firmware-protocol';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function cborToJson(value: CborValue | unknown, depth = 0): JsonValue {
  if (depth > 32) return '[nested too deeply]';
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof CborFloat) return Number.isFinite(value.value) ? value.value : String(value.value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof CborTag) return { tag: value.tag.toString(), value: cborToJson(value.value, depth + 1) };
  if (Array.isArray(value)) return value.map((item: unknown) => cborToJson(item, depth + 1));
  if (value instanceof Map) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of value as Map<unknown, unknown>) out[String(key)] = cborToJson(item, depth + 1);
    return out;
  }
  if (typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[key] = cborToJson(item, depth + 1);
    return out;
  }
  return String(value);
}
