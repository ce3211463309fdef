import { CborFloat, CborTag } from '../cbor/cbor-value.js';

/**
 * The JSON form of decoded values in `vectors/*.json` (documented in vectors/README.md), so that values JSON
 * cannot hold directly survive: byte strings `{"bytes": "<hex>"}`, integers beyond 2^53 `{"bigint": "<decimal>"}`,
 * CBOR maps `{"map": [[key, value], ...]}` (keys in encoded order), tags `{"tag": n, "value": v}`, CBOR floats in
 * contexts where the float/integer distinction matters `{"float": 1.5}` (NaN and infinities as the strings
 * "NaN", "Infinity", "-Infinity"), and `undefined` `{"simple": "undefined"}`. Plain objects stay objects.
 */
export type VectorJson = null | boolean | number | string | readonly VectorJson[] | { readonly [key: string]: VectorJson };

export function toVectorJson(value: unknown): VectorJson {
  if (value === null) return null;
  if (value === undefined) return { simple: 'undefined' };
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? { float: '-0' } : value) : { float: String(value) };
  if (typeof value === 'bigint') return { bigint: value.toString() };
  if (value instanceof Uint8Array) return { bytes: toHex(value) };
  if (value instanceof CborFloat) {
    const v = value.value;
    return { float: Number.isFinite(v) && !Object.is(v, -0) ? v : Object.is(v, -0) ? '-0' : String(v) };
  }
  if (value instanceof CborTag) return { tag: typeof value.tag === 'bigint' ? value.tag.toString() : value.tag, value: toVectorJson(value.value) };
  if (value instanceof Map) return { map: [...value.entries()].map(([k, v]) => [toVectorJson(k), toVectorJson(v)]) };
  if (Array.isArray(value)) return value.map((item) => toVectorJson(item));
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toVectorJson(v)]),
    );
  }
  throw new TypeError(`no vector JSON form for ${typeof value}`);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new TypeError(`not lower-case hex: ${hex.slice(0, 40)}`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
