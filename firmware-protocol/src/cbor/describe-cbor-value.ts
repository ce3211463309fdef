import { CborFloat, CborTag, type CborValue } from './cbor-value.js';

/** A short English name of a decoded value's CBOR type, for error messages ("found a text string"). */
export function describeCborValue(value: CborValue): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (value instanceof Uint8Array) return `a byte string of ${value.length} bytes`;
  if (value instanceof Map) return `a map of ${value.size} entries`;
  if (Array.isArray(value)) return `an array of ${value.length} elements`;
  if (value instanceof CborTag) return `tag ${value.tag.toString()}`;
  if (value instanceof CborFloat) return `the float ${formatFloat(value.value)}`;
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return `the integer ${value.toString()}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the float ${value}`;
  return 'an unknown value';
}

function formatFloat(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}
