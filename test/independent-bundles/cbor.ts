/**
 * Independent implementation (acceptance tests): a minimal deterministic CBOR writer, written from RFC 8949
 * section 3 and 4.2.1 without using any Trialgate package. Major types 0-6, definite lengths, shortest heads.
 */
export type Cbor = number | string | Uint8Array | readonly Cbor[] | CborMapValue | CborTagged;

export class CborMapValue {
  constructor(readonly pairs: readonly (readonly [Cbor, Cbor])[]) {}
}

export class CborTagged {
  constructor(
    readonly tag: number,
    readonly value: Cbor,
  ) {}
}

function head(major: number, value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`cannot encode ${value}`);
  const m = major << 5;
  if (value < 24) return [m | value];
  if (value < 0x100) return [m | 24, value];
  if (value < 0x10000) return [m | 25, value >> 8, value & 0xff];
  if (value < 0x100000000) return [m | 26, (value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  const high = Math.floor(value / 0x100000000);
  const low = value >>> 0;
  return [m | 27, (high >>> 24) & 0xff, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff, (low >>> 24) & 0xff, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff];
}

function write(value: Cbor, out: number[]): void {
  if (typeof value === 'number') {
    if (value >= 0) out.push(...head(0, value));
    else out.push(...head(1, -1 - value));
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    out.push(...head(3, bytes.length), ...bytes);
  } else if (value instanceof Uint8Array) {
    out.push(...head(2, value.length), ...value);
  } else if (value instanceof CborMapValue) {
    out.push(...head(5, value.pairs.length));
    for (const [k, v] of value.pairs) {
      write(k, out);
      write(v, out);
    }
  } else if (value instanceof CborTagged) {
    out.push(...head(6, value.tag));
    write(value.value, out);
  } else {
    out.push(...head(4, value.length));
    for (const item of value) write(item, out);
  }
}

export function cbor(value: Cbor): Uint8Array {
  const out: number[] = [];
  write(value, out);
  return Uint8Array.from(out);
}

export function cborMap(...pairs: (readonly [Cbor, Cbor])[]): CborMapValue {
  return new CborMapValue(pairs);
}
