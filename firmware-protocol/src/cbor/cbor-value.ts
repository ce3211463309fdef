/**
 * The values strict CBOR decoding produces (RFC 8949 data model, restricted to what the protocol needs).
 *
 * - unsigned and negative integers: `number` when within +/-(2^53 - 1), otherwise `bigint` (never a rounded
 *   number: a 64-bit counter or timestamp survives exactly, and schemas that expect a `number` reject it);
 * - floats (half, single, double): `number`;
 * - byte strings: a fresh `Uint8Array` (a copy, never a view of the input);
 * - text strings: `string` (validated UTF-8, a leading BOM kept as U+FEFF);
 * - arrays: arrays; maps: `Map`, so integer keys (COSE labels) and text keys (payload fields) stay distinct;
 * - tags: `CborTag`; `false`, `true`, `null`, `undefined` (simple values 20-23);
 * - `CborFloat` only with `decodeCborStrict(..., { preserveFloats: true })`, and as encoder input.
 */
export type CborMapKey = number | bigint | string;

export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | readonly CborValue[]
  | CborMap
  | CborTag
  | CborFloat;

export type CborMap = ReadonlyMap<CborMapKey, CborValue>;

/** A tagged data item (RFC 8949 section 3.4), kept as is: the decoder does not interpret tag contents. */
export class CborTag {
  readonly tag: number | bigint;
  readonly value: CborValue;

  constructor(tag: number | bigint, value: CborValue) {
    this.tag = tag;
    this.value = value;
  }
}

/**
 * Forces a number to be encoded as a float (major type 7, 64-bit), even when it is integral. Float fields of a
 * payload are written this way, as a C firmware writing a `double` would (`cbor_encode_double`).
 */
export class CborFloat {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }
}

export function isCborMap(value: unknown): value is CborMap {
  return value instanceof Map;
}
