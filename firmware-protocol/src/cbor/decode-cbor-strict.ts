import { ProtocolError } from '../errors/protocol-error.js';
import { CborFloat, CborTag, type CborMapKey, type CborValue } from './cbor-value.js';

/** Default input limit of the generic decoder; device messages use a smaller one (4 KiB, spec/issue 2). */
export const CBOR_DEFAULT_MAX_BYTES = 64 * 1024;
/** Default nesting limit: a device message nests at most 4 levels (tag, array, map, array). */
export const CBOR_DEFAULT_MAX_DEPTH = 16;
/** Hard ceiling for `maxDepth`, so that recursion can never exhaust the stack. */
export const CBOR_MAX_DEPTH_CEILING = 512;

export interface DecodeCborStrictOptions {
  /** Reject inputs longer than this many bytes (default `CBOR_DEFAULT_MAX_BYTES`). */
  readonly maxBytes?: number;
  /** Reject nesting deeper than this (default `CBOR_DEFAULT_MAX_DEPTH`; arrays, maps and tags count). */
  readonly maxDepth?: number;
  /**
   * Return floats (major type 7, additional information 25-27) as `CborFloat` instead of `number`, so that a
   * schema can tell the float 72.0 from the integer 72 (the payload decoder does). Default false.
   */
  readonly preserveFloats?: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const MAJOR_NAMES = ['unsigned integer', 'negative integer', 'byte string', 'text string', 'array', 'map', 'tag', 'simple/float'];

/** Text strings up to this many bytes that are pure ASCII are built without TextDecoder (its call costs more). */
const SHORT_ASCII_TEXT = 24;
/** Byte strings up to this many bytes are copied byte by byte (no intermediate view). */
const SHORT_BYTES = 32;

/**
 * Decodes exactly one well-formed, valid CBOR data item (RFC 8949) that fills `bytes` completely.
 *
 * Attacker-controlled: `bytes` come from devices and from files a sponsor is handed. Everything is checked
 * before it is used; declared lengths are compared with the bytes that remain before anything is allocated,
 * so a 9-byte header claiming 2^64 items fails at once. Rejected, each with its own `ProtocolError` code:
 * oversize input, truncation, trailing bytes, indefinite lengths (RFC 8949 section 3.2.2: we accept only
 * definite lengths, as deterministic encoders emit), stray break codes, reserved additional information
 * 28-30 (section 3), unassigned or not-well-formed simple values (section 3.3), invalid UTF-8 in text strings
 * (section 3.1 / 5.3.1), duplicate map keys (section 5.6), map keys other than integers and text, and nesting
 * beyond `maxDepth`.
 *
 * Accepted on purpose: non-preferred ("not shortest") integer and length encodings and any float width, since
 * they are well-formed and valid CBOR (section 4.1 makes preferred serialization a recommendation) and
 * the original bytes are kept as received, so nothing is ever re-encoded. Tags are not interpreted.
 *
 * Performance (this decoder runs for every device message, on the gateway's check workers): the head of
 * each item is kept in fields of the reader rather than in an object per item, integers below 2^53 never
 * go through BigInt, short ASCII text and short byte strings skip TextDecoder and intermediate views. Its
 * behaviour (values, error codes, messages, details) is pinned to the first, straightforward
 * implementation (testing/reference-decode-cbor-strict.ts) by a differential property test.
 */
export function decodeCborStrict(bytes: Uint8Array, options: DecodeCborStrictOptions = {}): CborValue {
  if (!(bytes instanceof Uint8Array)) {
    throw new ProtocolError('E_CBOR_INPUT', 'CBOR input must be a Uint8Array');
  }
  const maxBytes = options.maxBytes ?? CBOR_DEFAULT_MAX_BYTES;
  const maxDepth = Math.min(options.maxDepth ?? CBOR_DEFAULT_MAX_DEPTH, CBOR_MAX_DEPTH_CEILING);
  if (bytes.length > maxBytes) {
    throw new ProtocolError('E_CBOR_TOO_LARGE', `input is ${bytes.length} bytes, more than the limit of ${maxBytes}`, {
      details: { length: bytes.length, maxBytes },
    });
  }
  const reader = new StrictReader(bytes, maxDepth, options.preserveFloats ?? false);
  const value = reader.item(1);
  if (reader.offset !== bytes.length) {
    throw new ProtocolError(
      'E_CBOR_TRAILING_BYTES',
      `${bytes.length - reader.offset} trailing byte(s) after the CBOR item at offset ${reader.offset}`,
      { details: { offset: reader.offset, trailing: bytes.length - reader.offset } },
    );
  }
  return value;
}

class StrictReader {
  offset = 0;
  // The head (RFC 8949 section 3) of the item just read by `head()`: where it starts, major type, additional
  // information, and its argument (`bigArgument` instead when it is beyond 2^53 - 1).
  private start = 0;
  private major = 0;
  private info = 0;
  private argument = 0;
  private bigArgument: bigint | null = null;
  private view: DataView | null = null;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    private readonly preserveFloats: boolean,
  ) {}

  item(depth: number): CborValue {
    this.head();
    switch (this.major) {
      case 0:
        return this.bigArgument ?? this.argument;
      case 1:
        return negative(this.bigArgument ?? this.argument);
      case 2:
        return this.byteString();
      case 3:
        return this.text();
      case 4:
        return this.array(depth);
      case 5:
        return this.map(depth);
      case 6: {
        this.enter(depth);
        const tag = this.bigArgument ?? this.argument;
        return new CborTag(tag, this.item(depth + 1));
      }
      default:
        return this.simple();
    }
  }

  private head(): void {
    const bytes = this.bytes;
    const start = this.offset;
    const initial = bytes[start];
    if (initial === undefined) this.truncated(start, 'a data item');
    const major = initial >> 5;
    const info = initial & 0x1f;
    this.start = start;
    this.major = major;
    this.info = info;
    this.bigArgument = null;
    this.offset = start + 1;
    if (info < 24) {
      this.argument = info;
      return;
    }
    const at = start + 1;
    if (info === 24) {
      this.need(1, start, 'the 1-byte argument of the item');
      this.argument = bytes[at] ?? 0;
      this.offset = at + 1;
      return;
    }
    if (info === 25) {
      this.need(2, start, 'the 2-byte argument of the item');
      this.argument = ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
      this.offset = at + 2;
      return;
    }
    if (info === 26) {
      this.need(4, start, 'the 4-byte argument of the item');
      this.argument = uint32(bytes, at);
      this.offset = at + 4;
      return;
    }
    if (info === 27) {
      this.need(8, start, 'the 8-byte argument of the item');
      this.offset = at + 8;
      // A float64's bits are read as a float by `simple()`; only integers and lengths need the value.
      if (major === 7) return;
      const high = uint32(bytes, at);
      if (high <= 0x1fffff) {
        // Below 2^53: exact as a number.
        this.argument = high * 0x1_0000_0000 + uint32(bytes, at + 4);
      } else {
        this.bigArgument = this.dataView().getBigUint64(at);
      }
      return;
    }
    if (info === 31) {
      if (major === 7) {
        throw new ProtocolError('E_CBOR_UNEXPECTED_BREAK', `unexpected break code (0xff) at offset ${start}`, {
          details: { offset: start },
        });
      }
      if (major >= 2 && major <= 5) {
        throw new ProtocolError(
          'E_CBOR_INDEFINITE_LENGTH',
          `indefinite-length ${MAJOR_NAMES[major] ?? ''} at offset ${start}: only definite lengths are accepted`,
          { details: { offset: start, major } },
        );
      }
    }
    // 28-30 are reserved for every major type; 31 is not well-formed for major types 0, 1 and 6.
    throw new ProtocolError(
      'E_CBOR_RESERVED_INFO',
      `reserved additional information ${info} in initial byte 0x${hex(initial)} at offset ${start}`,
      { details: { offset: start, major, info } },
    );
  }

  private dataView(): DataView {
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.view;
  }

  /** The argument of the current head as a length; a length beyond 2^53 cannot be satisfied by any input. */
  private length(): number {
    if (this.bigArgument !== null) this.truncated(this.start, 'the length (beyond 2^53) of the item');
    return this.argument;
  }

  private byteString(): Uint8Array {
    const length = this.length();
    this.need(length, this.start, `the ${length} byte(s) announced by the item`);
    const from = this.offset;
    this.offset = from + length;
    // A copy in a plain Uint8Array: never a view that changes when the caller reuses its buffer.
    const out = new Uint8Array(length);
    if (length <= SHORT_BYTES) {
      for (let i = 0; i < length; i += 1) out[i] = this.bytes[from + i] ?? 0;
    } else {
      out.set(this.bytes.subarray(from, from + length));
    }
    return out;
  }

  private text(): string {
    const start = this.start;
    const length = this.length();
    this.need(length, start, `the ${length} byte(s) announced by the item`);
    const bytes = this.bytes;
    const from = this.offset;
    const end = from + length;
    this.offset = end;
    if (length <= SHORT_ASCII_TEXT) {
      let text = '';
      let i = from;
      for (; i < end; i += 1) {
        const byte = bytes[i] ?? 0;
        if (byte >= 0x80) break;
        text += String.fromCharCode(byte);
      }
      if (i === end) return text;
    }
    try {
      return utf8.decode(bytes.subarray(from, end));
    } catch (cause) {
      throw new ProtocolError('E_CBOR_INVALID_UTF8', `text string at offset ${start} is not valid UTF-8`, {
        details: { offset: start },
        cause,
      });
    }
  }

  private array(depth: number): CborValue[] {
    const count = this.length();
    // Each element takes at least one byte: fail before allocating for a length the input cannot hold.
    this.need(count, this.start, `the ${count} element(s) announced by the array`);
    this.enter(depth);
    const out: CborValue[] = [];
    for (let i = 0; i < count; i += 1) out.push(this.item(depth + 1));
    return out;
  }

  private map(depth: number): Map<CborMapKey, CborValue> {
    const count = this.length();
    this.need(count * 2, this.start, `the ${count} entries announced by the map`);
    this.enter(depth);
    const out = new Map<CborMapKey, CborValue>();
    for (let i = 0; i < count; i += 1) {
      const keyOffset = this.offset;
      // Keys are integers (COSE labels) or text (payload fields); judged by major type before decoding, so a
      // float 1.0 can never pose as the integer key 1.
      const keyByte = this.bytes[keyOffset];
      if (keyByte === undefined) this.truncated(keyOffset, 'a map key');
      const keyMajor = keyByte >> 5;
      if (keyMajor !== 0 && keyMajor !== 1 && keyMajor !== 3) {
        throw new ProtocolError(
          'E_CBOR_MAP_KEY_TYPE',
          `map key at offset ${keyOffset} is a ${MAJOR_NAMES[keyMajor] ?? ''}, not an integer or a text string`,
          { details: { offset: keyOffset } },
        );
      }
      const key = this.item(depth + 1) as CborMapKey;
      // RFC 8949 section 5.6: a map with duplicate keys is not valid. Keys are compared as decoded values,
      // so 0x01 and 0x1801 (the same integer, encoded two ways) are duplicates too.
      if (out.has(key)) {
        throw new ProtocolError(
          'E_CBOR_DUPLICATE_KEY',
          `duplicate map key ${describeKey(key)} at offset ${keyOffset}`,
          { details: { offset: keyOffset, key: typeof key === 'bigint' ? key.toString() : key } },
        );
      }
      out.set(key, this.item(depth + 1));
    }
    return out;
  }

  private simple(): CborValue {
    const { info, start } = this;
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) return undefined;
    if (info === 25) return this.float(halfToNumber(this.argument));
    if (info === 26) return this.float(this.dataView().getFloat32(start + 1));
    if (info === 27) return this.float(this.dataView().getFloat64(start + 1));
    if (info === 24 && this.argument < 32) {
      // RFC 8949 section 3.3: a two-byte simple value below 32 is not well-formed.
      throw new ProtocolError(
        'E_CBOR_INVALID_SIMPLE',
        `simple value ${String(this.argument)} in two-byte form at offset ${start} is not well-formed`,
        { details: { offset: start, simple: this.argument } },
      );
    }
    throw new ProtocolError(
      'E_CBOR_INVALID_SIMPLE',
      `unassigned simple value ${String(this.argument)} at offset ${start}`,
      { details: { offset: start, simple: this.argument } },
    );
  }

  private float(value: number): number | CborFloat {
    return this.preserveFloats ? new CborFloat(value) : value;
  }

  private enter(depth: number): void {
    if (depth >= this.maxDepth) {
      throw new ProtocolError(
        'E_CBOR_TOO_DEEP',
        `nesting deeper than ${this.maxDepth} levels at offset ${this.start}`,
        { details: { offset: this.start, maxDepth: this.maxDepth } },
      );
    }
  }

  private need(count: number, start: number, what: string): void {
    if (count > this.bytes.length - this.offset) this.truncated(start, what);
  }

  private truncated(start: number, what: string): never {
    throw new ProtocolError(
      'E_CBOR_TRUNCATED',
      `input ends after ${this.bytes.length} bytes, before ${what} at offset ${start}`,
      { details: { offset: start, length: this.bytes.length } },
    );
  }
}

function uint32(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) * 0x100_0000 + (((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
}

function negative(argument: number | bigint): number | bigint {
  // RFC 8949 section 3.1, major type 1: the value is -1 - argument.
  if (typeof argument === 'number' && argument < Number.MAX_SAFE_INTEGER) return -1 - argument;
  return -1n - BigInt(argument);
}

/** IEEE 754 binary16 to number (RFC 8949 appendix D). */
function halfToNumber(half: number): number {
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (mantissa + 1024) * 2 ** (exponent - 25);
}

function describeKey(key: CborMapKey): string {
  return typeof key === 'string' ? JSON.stringify(key) : key.toString();
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
