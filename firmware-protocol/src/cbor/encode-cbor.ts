import { ProtocolError } from '../errors/protocol-error.js';
import { CborFloat, CborTag } from './cbor-value.js';

/**
 * What `encodeCbor` accepts: the values `decodeCborStrict` returns, plus `CborFloat` (a number that must be
 * written as a float) and plain objects (written as maps with text keys, in insertion order).
 */
export type CborEncodable =
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
 *
 * Performance (log entries and Sig_structures are encoded for every device message): heads of numbers never
 * go through BigInt, text is written with one shared TextEncoder, and one scratch buffer is reused between
 * calls (the result is always a fresh copy). Its output is pinned byte for byte to the first, straightforward
 * implementation (testing/reference-encode-cbor.ts) by a differential property test.
 */
export function encodeCbor(value: CborEncodable): Uint8Array {
  const writer = acquireWriter();
  try {
    writer.value(value, 0);
    return writer.finish();
  } finally {
    releaseWriter(writer);
  }
}

const MAX_ENCODE_DEPTH = 512;
const textEncoder = new TextEncoder();
/** Scratch buffers above this size are not kept between calls. */
const KEEP_SCRATCH_BYTES = 64 * 1024;

let spareWriter: Writer | null = null;

/** The spare writer, or a new one while it is in use (an encode re-entered from a getter, say). */
function acquireWriter(): Writer {
  const writer = spareWriter ?? new Writer();
  spareWriter = null;
  writer.reset();
  return writer;
}

function releaseWriter(writer: Writer): void {
  if (writer.capacity <= KEEP_SCRATCH_BYTES) spareWriter = writer;
}

class Writer {
  private buffer = new Uint8Array(512);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  get capacity(): number {
    return this.buffer.length;
  }

  reset(): void {
    this.length = 0;
  }

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
    if (typeof value === 'string') return this.text(value);
    if (value instanceof Uint8Array) {
      this.head(2, value.length);
      return this.bytes(value);
    }
    if (value instanceof CborFloat) return this.float64(value.value);
    if (value instanceof CborTag) {
      // BigInt() throws a RangeError for a tag number that is not an integer, as the first implementation did.
      if (typeof value.tag === 'number' && Number.isSafeInteger(value.tag)) this.head(6, value.tag);
      else this.bigHead(6, BigInt(value.tag));
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
        this.text(key);
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
      return this.bigHead(0, value);
    }
    const argument = -1n - value;
    if (argument >= 2n ** 64n) throw new ProtocolError('E_CBOR_UNENCODABLE', 'integer below -2^64');
    return this.bigHead(1, argument);
  }

  private text(value: string): void {
    // At most 3 UTF-8 bytes per UTF-16 unit: reserve that, write in place, then move the bytes up if the head
    // (written after, once the length is known) is longer than the one byte assumed for short strings.
    const most = value.length * 3;
    this.reserve(9 + most);
    const assumedHead = most < 24 ? 1 : most < 0x100 ? 2 : most < 0x10000 ? 3 : most < 0x1_0000_0000 ? 5 : 9;
    const at = this.length + assumedHead;
    const written = textEncoder.encodeInto(value, this.buffer.subarray(at, at + most)).written;
    const head = written < 24 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : written < 0x1_0000_0000 ? 5 : 9;
    if (head !== assumedHead) this.buffer.copyWithin(this.length + head, at, at + written);
    this.head(3, written);
    this.length += written;
  }

  private float64(value: number): void {
    this.reserve(9);
    this.buffer[this.length] = 0xfb;
    this.view.setFloat64(this.length + 1, value);
    this.length += 9;
  }

  /** RFC 8949 section 3 head, preferred serialization (section 4.1): the shortest argument that fits. */
  private head(major: number, argument: number): void {
    this.reserve(9);
    const buffer = this.buffer;
    const at = this.length;
    const top = major << 5;
    if (argument < 24) {
      buffer[at] = top | argument;
      this.length = at + 1;
    } else if (argument < 0x100) {
      buffer[at] = top | 24;
      buffer[at + 1] = argument;
      this.length = at + 2;
    } else if (argument < 0x10000) {
      buffer[at] = top | 25;
      buffer[at + 1] = argument >>> 8;
      buffer[at + 2] = argument & 0xff;
      this.length = at + 3;
    } else if (argument < 0x1_0000_0000) {
      buffer[at] = top | 26;
      this.view.setUint32(at + 1, argument);
      this.length = at + 5;
    } else {
      buffer[at] = top | 27;
      this.view.setUint32(at + 1, Math.floor(argument / 0x1_0000_0000));
      this.view.setUint32(at + 5, argument >>> 0);
      this.length = at + 9;
    }
  }

  /** `head` for a bigint argument (below 2^64, checked by the caller). */
  private bigHead(major: number, argument: bigint): void {
    if (argument <= BigInt(Number.MAX_SAFE_INTEGER)) return this.head(major, Number(argument));
    this.reserve(9);
    this.buffer[this.length] = (major << 5) | 27;
    this.view.setBigUint64(this.length + 1, argument);
    this.length += 9;
  }

  private byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length] = value;
    this.length += 1;
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
    this.view = new DataView(next.buffer);
  }
}
