/**
 * TEST REFERENCE, not for production use: the straightforward first implementation of decodeCborStrict, kept unchanged
 * as the oracle of the differential property tests of the optimized one (decode-cbor-strict.test.ts). Any
 * behaviour difference between the two (value, bytes, error code, message or details) is a bug of the
 * optimized one.
 */
import { ProtocolError } from '../../errors/protocol-error.js';
import { CborFloat, CborTag, type CborMapKey, type CborValue } from '../cbor-value.js';

/** Default input limit of the generic decoder; device messages use a smaller one (4 KiB, spec/issue 2). */
const CBOR_DEFAULT_MAX_BYTES = 64 * 1024;
/** Default nesting limit: a device message nests at most 4 levels (tag, array, map, array). */
const CBOR_DEFAULT_MAX_DEPTH = 16;
/** Hard ceiling for `maxDepth`, so that recursion can never exhaust the stack. */
const CBOR_MAX_DEPTH_CEILING = 512;

interface DecodeCborStrictOptions {
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

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const MAJOR_NAMES = ['unsigned integer', 'negative integer', 'byte string', 'text string', 'array', 'map', 'tag', 'simple/float'];

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
 */
export function referenceDecodeCborStrict(bytes: Uint8Array, options: DecodeCborStrictOptions = {}): CborValue {
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

/** Head of a data item (RFC 8949 section 3): major type and argument. */
interface Head {
  readonly start: number;
  readonly major: number;
  readonly info: number;
  readonly argument: number | bigint;
}

class StrictReader {
  offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    private readonly preserveFloats: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  item(depth: number): CborValue {
    const head = this.head();
    switch (head.major) {
      case 0:
        return head.argument;
      case 1:
        return negative(head.argument);
      case 2:
        // A copy in a plain Uint8Array: never a view that changes when the caller reuses its buffer.
        return new Uint8Array(this.take(this.length(head), head));
      case 3:
        return this.text(head);
      case 4:
        return this.array(head, depth);
      case 5:
        return this.map(head, depth);
      case 6:
        this.enter(depth, head);
        return new CborTag(head.argument, this.item(depth + 1));
      default:
        return this.simple(head);
    }
  }

  private head(): Head {
    const start = this.offset;
    const initial = this.byte(start, 'a data item');
    const major = initial >> 5;
    const info = initial & 0x1f;
    this.offset = start + 1;
    if (info < 24) return { start, major, info, argument: info };
    if (info === 24) return { start, major, info, argument: this.uint(1, start) };
    if (info === 25) return { start, major, info, argument: this.uint(2, start) };
    if (info === 26) return { start, major, info, argument: this.uint(4, start) };
    if (info === 27) return { start, major, info, argument: this.uint(8, start) };
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

  private uint(size: 1 | 2 | 4 | 8, start: number): number | bigint {
    this.need(size, start, `the ${size}-byte argument of the item`);
    const at = this.offset;
    this.offset += size;
    switch (size) {
      case 1:
        return this.view.getUint8(at);
      case 2:
        return this.view.getUint16(at);
      case 4:
        return this.view.getUint32(at);
      default: {
        const big = this.view.getBigUint64(at);
        return big <= MAX_SAFE ? Number(big) : big;
      }
    }
  }

  private length(head: Head): number {
    if (typeof head.argument === 'bigint') this.truncated(head.start, 'the length (beyond 2^53) of the item');
    return head.argument;
  }

  private take(length: number, head: Head): Uint8Array {
    this.need(length, head.start, `the ${length} byte(s) announced by the item`);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  private text(head: Head): string {
    const raw = this.take(this.length(head), head);
    try {
      return utf8.decode(raw);
    } catch (cause) {
      throw new ProtocolError('E_CBOR_INVALID_UTF8', `text string at offset ${head.start} is not valid UTF-8`, {
        details: { offset: head.start },
        cause,
      });
    }
  }

  private array(head: Head, depth: number): CborValue[] {
    const count = this.length(head);
    // Each element takes at least one byte: fail before allocating for a length the input cannot hold.
    this.need(count, head.start, `the ${count} element(s) announced by the array`);
    this.enter(depth, head);
    const out: CborValue[] = [];
    for (let i = 0; i < count; i += 1) out.push(this.item(depth + 1));
    return out;
  }

  private map(head: Head, depth: number): Map<CborMapKey, CborValue> {
    const count = this.length(head);
    this.need(count * 2, head.start, `the ${count} entries announced by the map`);
    this.enter(depth, head);
    const out = new Map<CborMapKey, CborValue>();
    for (let i = 0; i < count; i += 1) {
      const keyOffset = this.offset;
      // Keys are integers (COSE labels) or text (payload fields); judged by major type before decoding, so a
      // float 1.0 can never pose as the integer key 1.
      const keyMajor = this.byte(keyOffset, 'a map key') >> 5;
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

  private simple(head: Head): CborValue {
    const { info, start } = head;
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) return undefined;
    if (info === 25) return this.float(halfToNumber(head.argument as number));
    if (info === 26) return this.float(this.view.getFloat32(start + 1));
    if (info === 27) return this.float(this.view.getFloat64(start + 1));
    if (info === 24 && (head.argument as number) < 32) {
      // RFC 8949 section 3.3: a two-byte simple value below 32 is not well-formed.
      throw new ProtocolError(
        'E_CBOR_INVALID_SIMPLE',
        `simple value ${String(head.argument)} in two-byte form at offset ${start} is not well-formed`,
        { details: { offset: start, simple: head.argument } },
      );
    }
    throw new ProtocolError(
      'E_CBOR_INVALID_SIMPLE',
      `unassigned simple value ${String(head.argument)} at offset ${start}`,
      { details: { offset: start, simple: head.argument } },
    );
  }

  private float(value: number): number | CborFloat {
    return this.preserveFloats ? new CborFloat(value) : value;
  }

  private enter(depth: number, head: Head): void {
    if (depth >= this.maxDepth) {
      throw new ProtocolError(
        'E_CBOR_TOO_DEEP',
        `nesting deeper than ${this.maxDepth} levels at offset ${head.start}`,
        { details: { offset: head.start, maxDepth: this.maxDepth } },
      );
    }
  }

  private byte(at: number, what: string): number {
    const value = this.bytes[at];
    if (value === undefined) this.truncated(at, what);
    return value;
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
