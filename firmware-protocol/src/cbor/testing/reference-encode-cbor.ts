/**
 * TEST REFERENCE, not for production use: the straightforward first implementation of encodeCbor, kept unchanged
 * as the oracle of the differential property tests of the optimized one (encode-cbor.test.ts). Any
 * behaviour difference between the two (value, bytes, error code, message or details) is a bug of the
 * optimized one.
 */
import { ProtocolError } from '../../errors/protocol-error.js';
import { CborFloat, CborTag } from '../cbor-value.js';

/**
 * What `encodeCbor` accepts: the values `decodeCborStrict` returns, plus `CborFloat` (a number that must be
 * written as a float) and plain objects (written as maps with text keys, in insertion order).
 */
type CborEncodable =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborFloat
  | CborTag
  | readonly CborEncodable[]
  | ReadonlyMap<number | bigint | string, CborEncodable>
  | { readonly [key: string]: CborEncodable };

/**
 * Encodes a value as CBOR the way a small C encoder (tinycbor, QCBOR, zcbor) does: definite lengths,
 * preferred (shortest) integer and length heads (RFC 8949 section 4.1), maps in insertion order, byte
 * strings as major type 2 (never a typed-array tag), text as major type 3. Integral numbers become
 * integers; other numbers and `CborFloat` values become 64-bit floats (0xfb), as C's `double` does.
 *
 * Written by hand rather than with cbor-x on purpose: cbor-x tags `Uint8Array` (tag 64) unless configured,
 * cannot force an integral `double` to stay a float, and may write 16-bit map heads for small maps; here every
 * byte is ours to specify, which the test vectors for firmware teams need. Duplicate keys in a `Map` cannot
 * arise; plain-object keys are unique by construction.
 */
export function referenceEncodeCbor(value: CborEncodable): Uint8Array {
  const writer = new Writer();
  writer.value(value, 0);
  return writer.finish();
}

const MAX_ENCODE_DEPTH = 512;

class Writer {
  private buffer = new Uint8Array(256);
  private length = 0;

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  value(value: CborEncodable, depth: number): void {
    if (depth > MAX_ENCODE_DEPTH) throw new ProtocolError('E_CBOR_UNENCODABLE', 'value nests too deeply to encode');
    if (value === false) return this.byte(0xf4);
    if (value === true) return this.byte(0xf5);
    if (value === null) return this.byte(0xf6);
    if (value === undefined) return this.byte(0xf7);
    if (typeof value === 'number') return this.number(value);
    if (typeof value === 'bigint') return this.bigint(value);
    if (typeof value === 'string') {
      const utf8 = new TextEncoder().encode(value);
      this.head(3, utf8.length);
      return this.bytes(utf8);
    }
    if (value instanceof Uint8Array) {
      this.head(2, value.length);
      return this.bytes(value);
    }
    if (value instanceof CborFloat) return this.float64(value.value);
    if (value instanceof CborTag) {
      this.head(6, value.tag);
      return this.value(value.value, depth + 1);
    }
    if (Array.isArray(value)) {
      const items = value as readonly CborEncodable[];
      this.head(4, items.length);
      for (const item of items) this.value(item, depth + 1);
      return;
    }
    if (value instanceof Map) {
      const map = value as ReadonlyMap<number | bigint | string, CborEncodable>;
      this.head(5, map.size);
      for (const [key, item] of map) {
        if (typeof key === 'number' && !Number.isSafeInteger(key)) {
          throw new ProtocolError('E_CBOR_UNENCODABLE', `map key ${key} is not an integer`);
        }
        this.value(key, depth + 1);
        this.value(item, depth + 1);
      }
      return;
    }
    if (typeof value === 'object') {
      const entries = Object.entries(value as Record<string, CborEncodable>);
      this.head(5, entries.length);
      for (const [key, item] of entries) {
        this.value(key, depth + 1);
        this.value(item, depth + 1);
      }
      return;
    }
    throw new ProtocolError('E_CBOR_UNENCODABLE', `cannot encode a value of type ${typeof value}`);
  }

  private number(value: number): void {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
      if (value >= 0) return this.head(0, value);
      return this.head(1, -1 - value);
    }
    return this.float64(value);
  }

  private bigint(value: bigint): void {
    if (value >= 0n) {
      if (value >= 2n ** 64n) throw new ProtocolError('E_CBOR_UNENCODABLE', 'integer above 2^64 - 1');
      return this.head(0, value);
    }
    const argument = -1n - value;
    if (argument >= 2n ** 64n) throw new ProtocolError('E_CBOR_UNENCODABLE', 'integer below -2^64');
    return this.head(1, argument);
  }

  private float64(value: number): void {
    this.reserve(9);
    this.buffer[this.length] = 0xfb;
    new DataView(this.buffer.buffer).setFloat64(this.length + 1, value);
    this.length += 9;
  }

  /** RFC 8949 section 3 head, preferred serialization (section 4.1): the shortest argument that fits. */
  private head(major: number, argument: number | bigint): void {
    const big = BigInt(argument);
    const top = major << 5;
    if (big < 24n) return this.byte(top | Number(big));
    if (big < 0x100n) return this.raw([top | 24, Number(big)]);
    if (big < 0x10000n) return this.raw([top | 25, Number(big >> 8n), Number(big & 0xffn)]);
    this.reserve(9);
    const view = new DataView(this.buffer.buffer);
    if (big < 0x100000000n) {
      this.buffer[this.length] = top | 26;
      view.setUint32(this.length + 1, Number(big));
      this.length += 5;
      return;
    }
    this.buffer[this.length] = top | 27;
    view.setBigUint64(this.length + 1, big);
    this.length += 9;
  }

  private byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length] = value;
    this.length += 1;
  }

  private raw(values: readonly number[]): void {
    this.reserve(values.length);
    for (const v of values) {
      this.buffer[this.length] = v;
      this.length += 1;
    }
  }

  private bytes(values: Uint8Array): void {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }
}
