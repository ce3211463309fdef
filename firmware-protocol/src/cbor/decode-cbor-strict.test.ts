import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, type ProtocolErrorCode } from '../errors/protocol-error.js';
import { CborTag, type CborValue } from './cbor-value.js';
import { decodeCborStrict } from './decode-cbor-strict.js';
import { encodeCbor, type CborEncodable } from './encode-cbor.js';
import { referenceDecodeCborStrict } from './testing/reference-decode-cbor-strict.js';
import { hex } from '../testing/hex.js';
import { protocolErrorCodeOf } from '../testing/protocol-error-code-of.js';

describe('decodeCborStrict: RFC 8949 appendix A examples', () => {
  const cases: readonly [string, CborValue][] = [
    ['00', 0],
    ['17', 23],
    ['1818', 24],
    ['1903e8', 1000],
    ['1a000f4240', 1000000],
    ['1b000000e8d4a51000', 1000000000000],
    ['1bffffffffffffffff', 18446744073709551615n],
    ['3bffffffffffffffff', -18446744073709551616n],
    ['1b001fffffffffffff', Number.MAX_SAFE_INTEGER],
    ['1b0020000000000000', 2n ** 53n],
    ['3b001ffffffffffffe', -Number.MAX_SAFE_INTEGER],
    ['3b001fffffffffffff', -(2n ** 53n)],
    ['20', -1],
    ['3903e7', -1000],
    ['f90000', 0],
    ['f93c00', 1],
    ['fb3ff199999999999a', 1.1],
    ['f93e00', 1.5],
    ['f97bff', 65504],
    ['fa47c35000', 100000],
    ['f90001', 5.960464477539063e-8],
    ['f97c00', Infinity],
    ['f9fc00', -Infinity],
    ['fb7ff0000000000000', Infinity],
    ['f4', false],
    ['f5', true],
    ['f6', null],
    ['f7', undefined],
    ['40', new Uint8Array()],
    ['4401020304', hex('01020304')],
    ['60', ''],
    ['6161', 'a'],
    ['6449455446', 'IETF'],
    ['62225c', '"\\'],
    ['62c3bc', '\u00fc'],
    ['63e6b0b4', '\u6c34'],
    ['64f0908591', '\u{10151}'],
    ['80', []],
    ['83010203', [1, 2, 3]],
    ['8301820203820405', [1, [2, 3], [4, 5]]],
    ['a0', new Map()],
    ['a201020304', new Map([[1, 2], [3, 4]])],
    ['a26161016162820203', new Map<string, CborValue>([['a', 1], ['b', [2, 3]]])],
    ['c074323031332d30332d32315432303a30343a30305a', new CborTag(0, '2013-03-21T20:04:00Z')],
    ['c11a514b67b0', new CborTag(1, 1363896240)],
    ['d74401020304', new CborTag(23, hex('01020304'))],
  ];
  for (const [input, expected] of cases) {
    it(`decodes ${input}`, () => {
      expect(decodeCborStrict(hex(input))).toStrictEqual(expected);
    });
  }

  it('decodes NaN', () => {
    expect(decodeCborStrict(hex('f97e00'))).toBeNaN();
  });

  it('keeps a leading byte-order mark in text (TextDecoder would strip it by default)', () => {
    expect(decodeCborStrict(hex('63efbbbf'))).toBe('\ufeff');
  });

  it('accepts non-preferred integer heads, which are well-formed (RFC 8949 section 4.1 only recommends)', () => {
    expect(decodeCborStrict(hex('1800'))).toBe(0);
    expect(decodeCborStrict(hex('1b0000000000000001'))).toBe(1);
  });

  it('returns byte strings as copies, not views of the input', () => {
    const input = hex('420102');
    const out = decodeCborStrict(input) as Uint8Array;
    input[1] = 0xff;
    expect(out).toStrictEqual(hex('0102'));
    expect(Object.getPrototypeOf(decodeCborStrict(Buffer.from('420102', 'hex')))).toBe(Uint8Array.prototype);
  });
});

describe('decodeCborStrict: rejects malformed and invalid input with stable codes', () => {
  const cases: readonly [string, string, ProtocolErrorCode][] = [
    ['empty input', '', 'E_CBOR_TRUNCATED'],
    ['trailing bytes', '0000', 'E_CBOR_TRAILING_BYTES'],
    ['truncated head', '19 01', 'E_CBOR_TRUNCATED'],
    ['truncated byte string', '44 0102', 'E_CBOR_TRUNCATED'],
    ['truncated array', '83 0102', 'E_CBOR_TRUNCATED'],
    ['array claiming 2^64-1 items', '9b ffffffffffffffff', 'E_CBOR_TRUNCATED'],
    ['byte string claiming 2^32-1 bytes', '5a ffffffff 00', 'E_CBOR_TRUNCATED'],
    ['map missing a value', 'a1 01', 'E_CBOR_TRUNCATED'],
    ['indefinite byte string', '5f 4101 ff', 'E_CBOR_INDEFINITE_LENGTH'],
    ['indefinite text string', '7f 6161 ff', 'E_CBOR_INDEFINITE_LENGTH'],
    ['indefinite array', '9f 01 ff', 'E_CBOR_INDEFINITE_LENGTH'],
    ['indefinite map', 'bf 01 02 ff', 'E_CBOR_INDEFINITE_LENGTH'],
    ['stray break', 'ff', 'E_CBOR_UNEXPECTED_BREAK'],
    ['break inside a definite array', '82 01 ff', 'E_CBOR_UNEXPECTED_BREAK'],
    ['reserved info 28', '1c', 'E_CBOR_RESERVED_INFO'],
    ['reserved info 29 in a byte string', '5d', 'E_CBOR_RESERVED_INFO'],
    ['reserved info 30 in a simple value', 'fe', 'E_CBOR_RESERVED_INFO'],
    ['info 31 on an unsigned integer', '1f', 'E_CBOR_RESERVED_INFO'],
    ['info 31 on a negative integer', '3f', 'E_CBOR_RESERVED_INFO'],
    ['info 31 on a tag', 'df', 'E_CBOR_RESERVED_INFO'],
    ['two-byte simple value below 32', 'f8 18', 'E_CBOR_INVALID_SIMPLE'],
    ['unassigned simple value 16', 'f0', 'E_CBOR_INVALID_SIMPLE'],
    ['unassigned simple value 255', 'f8 ff', 'E_CBOR_INVALID_SIMPLE'],
    ['invalid UTF-8 (lone continuation byte)', '61 80', 'E_CBOR_INVALID_UTF8'],
    ['invalid UTF-8 (overlong slash)', '62 c0af', 'E_CBOR_INVALID_UTF8'],
    ['invalid UTF-8 (encoded surrogate)', '63 eda080', 'E_CBOR_INVALID_UTF8'],
    ['invalid UTF-8 (cut sequence)', '62 e6b0', 'E_CBOR_INVALID_UTF8'],
    ['duplicate integer key', 'a2 01 02 01 03', 'E_CBOR_DUPLICATE_KEY'],
    ['duplicate text key', 'a2 6161 01 6161 02', 'E_CBOR_DUPLICATE_KEY'],
    ['duplicate key, encoded two ways', 'a2 01 02 1801 03', 'E_CBOR_DUPLICATE_KEY'],
    ['byte-string map key', 'a1 4101 02', 'E_CBOR_MAP_KEY_TYPE'],
    ['float map key', 'a1 f93c00 02', 'E_CBOR_MAP_KEY_TYPE'],
    ['array map key', 'a1 80 02', 'E_CBOR_MAP_KEY_TYPE'],
  ];
  for (const [name, input, code] of cases) {
    it(`rejects ${name} with ${code}`, () => {
      expect(protocolErrorCodeOf(() => decodeCborStrict(hex(input)))).toBe(code);
    });
  }

  it('rejects input above maxBytes with E_CBOR_TOO_LARGE, before parsing anything', () => {
    expect(protocolErrorCodeOf(() => decodeCborStrict(new Uint8Array(11).fill(0xff), { maxBytes: 10 }))).toBe('E_CBOR_TOO_LARGE');
    expect(decodeCborStrict(hex('4100'), { maxBytes: 2 })).toStrictEqual(hex('00'));
  });

  it('rejects nesting beyond maxDepth with E_CBOR_TOO_DEEP, counting arrays, maps and tags', () => {
    const nested = (levels: number): Uint8Array => hex('81'.repeat(levels) + '00');
    expect(decodeCborStrict(nested(3), { maxDepth: 4 })).toStrictEqual([[[0]]]);
    expect(protocolErrorCodeOf(() => decodeCborStrict(nested(4), { maxDepth: 4 }))).toBe('E_CBOR_TOO_DEEP');
    expect(protocolErrorCodeOf(() => decodeCborStrict(hex('c1c1c1c100'), { maxDepth: 4 }))).toBe('E_CBOR_TOO_DEEP');
    // The default limit stops a stack-exhausting input long before the stack does.
    expect(protocolErrorCodeOf(() => decodeCborStrict(nested(5000)))).toBe('E_CBOR_TOO_DEEP');
    expect(protocolErrorCodeOf(() => decodeCborStrict(nested(100_000), { maxDepth: 1_000_000, maxBytes: 1 << 20 }))).toBe(
      'E_CBOR_TOO_DEEP',
    );
  });

  it('reports the offset of the problem in details', () => {
    try {
      decodeCborStrict(hex('83 01 02 61 ff'));
      expect.unreachable();
    } catch (error) {
      expect(isProtocolError(error) && error.details).toMatchObject({ offset: 3 });
    }
  });

  it('rejects a non-Uint8Array input with E_CBOR_INPUT', () => {
    expect(protocolErrorCodeOf(() => decodeCborStrict('00' as unknown as Uint8Array))).toBe('E_CBOR_INPUT');
  });
});

// Values the strict decoder returns, for round trips (no NaN: NaN !== NaN under toStrictEqual is fine, but
// -0 vs 0 and NaN payloads are float details covered above).
const cborValue: fc.Arbitrary<CborEncodable> = fc.letrec<{ value: CborEncodable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }).filter((n) => n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)),
    fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(true, false, null, undefined),
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.string()), tie('value')), {
        maxLength: 5,
        selector: ([key]) => key,
      })
      .map((entries) => new Map(entries)),
    fc.tuple(fc.integer({ min: 0, max: 2 ** 32 }), tie('value')).map(([tag, value]) => new CborTag(tag, value as CborValue)),
  ),
})).value;

describe('decodeCborStrict: properties', () => {
  it('decodes what encodeCbor wrote back to the same value', () => {
    fc.assert(
      fc.property(cborValue, (value) => {
        expect(decodeCborStrict(encodeCbor(value), { maxBytes: 1 << 20, maxDepth: 64 })).toStrictEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with cbor-x, an independent encoder, on maps, arrays, integers, floats, text and bytes', () => {
    const cborx = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false, variableMapSize: true });
    const plain: fc.Arbitrary<CborEncodable> = fc.letrec<{ value: CborEncodable }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.double({ noNaN: true }).filter((d) => !Number.isInteger(d)),
        fc.string(),
        fc.constantFrom(true, false, null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc
          .uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -500, max: 500 }), fc.string()), tie('value')), {
            maxLength: 4,
            selector: ([key]) => key,
          })
          .map((entries) => new Map(entries)),
      ),
    })).value;
    fc.assert(
      fc.property(plain, (value) => {
        const bytes = new Uint8Array(cborx.encode(value));
        expect(decodeCborStrict(bytes, { maxBytes: 1 << 20, maxDepth: 64 })).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(['none', expect.stringMatching(/^E_CBOR_/)]).toContainEqual(protocolErrorCodeOf(() => decodeCborStrict(bytes)));
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws anything but a ProtocolError on mutated valid encodings', () => {
    fc.assert(
      fc.property(
        cborValue,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete', 'cut')), {
          minLength: 1,
          maxLength: 4,
        }),
        (value, mutations) => {
          let bytes = Array.from(encodeCbor(value));
          for (const [position, byte, kind] of mutations) {
            const at = bytes.length === 0 ? 0 : position % bytes.length;
            if (kind === 'set') bytes[at] = byte;
            else if (kind === 'insert') bytes.splice(at, 0, byte);
            else if (kind === 'delete') bytes.splice(at, 1);
            else bytes = bytes.slice(0, at);
          }
          const code = protocolErrorCodeOf(() => decodeCborStrict(Uint8Array.from(bytes), { maxBytes: 1 << 20 }));
          expect(code === 'none' || code.startsWith('E_CBOR_')).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** What a decode did: the value, or the error's code, message and details (all must match the reference). */
function outcomeOf(decode: () => CborValue): unknown {
  try {
    return { value: decode() };
  } catch (error) {
    if (isProtocolError(error)) return { code: error.code, message: error.message, details: error.details };
    return { thrown: String(error) };
  }
}

/** A head with a random (often not preferred) argument width, as any encoder may legally write. */
function anyHead(major: number, argument: number | bigint, width: number): number[] {
  const big = BigInt(argument);
  const top = major << 5;
  if (width === 0 && big < 24n) return [top | Number(big)];
  if (width <= 1 && big < 0x100n) return [top | 24, Number(big)];
  if (width <= 2 && big < 0x10000n) return [top | 25, Number(big >> 8n), Number(big & 0xffn)];
  if (width <= 3 && big < 0x100000000n) return [top | 26, ...[24n, 16n, 8n, 0n].map((s) => Number((big >> s) & 0xffn))];
  return [top | 27, ...[56n, 48n, 40n, 32n, 24n, 16n, 8n, 0n].map((s) => Number((big >> s) & 0xffn))];
}

/** CBOR-like byte sequences built item by item: mostly well-formed, with every head width and odd corners. */
const cborishBytes: fc.Arbitrary<number[]> = fc.letrec<{ item: number[] }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.integer({ min: 0, max: 1 }), fc.oneof(fc.nat(30), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), fc.nat(4)).map(([major, n, w]) => anyHead(major, n, w)),
    fc.tuple(fc.uint8Array({ maxLength: 40 }), fc.nat(4)).map(([b, w]) => [...anyHead(2, b.length, w), ...b]),
    fc.tuple(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => [...Buffer.from(s)]), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 })), fc.nat(4)).map(([b, w]) => [...anyHead(3, b.length, w), ...b]),
    fc.tuple(fc.array(tie('item'), { maxLength: 4 }), fc.nat(4)).map(([items, w]) => [...anyHead(4, items.length, w), ...items.flat()]),
    fc.tuple(fc.array(fc.tuple(tie('item'), tie('item')), { maxLength: 4 }), fc.nat(4)).map(([pairs, w]) => [...anyHead(5, pairs.length, w), ...pairs.flat(2)]),
    fc.tuple(fc.oneof(fc.nat(40), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), tie('item'), fc.nat(4)).map(([tag, item, w]) => [...anyHead(6, tag, w), ...item]),
    fc.oneof(
      fc.integer({ min: 0, max: 31 }).map((info) => [0xe0 | info]),
      fc.integer({ min: 0, max: 255 }).map((v) => [0xf8, v]),
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })).map(([a, b]) => [0xf9, a, b]),
      fc.double().map((d) => [0xfa, ...Buffer.from(new Float32Array([d]).buffer).reverse()]),
      fc.double().map((d) => [0xfb, ...Buffer.from(new Float64Array([d]).buffer).reverse()]),
    ),
    fc.constantFrom(0x1c, 0x3d, 0x5f, 0x7f, 0x9f, 0xbf, 0xdf, 0xff, 0x1f, 0x3f).map((byte) => [byte]),
  ),
})).item;

const decodeOptions = fc.record(
  { maxBytes: fc.oneof(fc.constant(1 << 20), fc.nat(64)), maxDepth: fc.integer({ min: 0, max: 20 }), preserveFloats: fc.boolean() },
  { requiredKeys: [] },
);

describe('decodeCborStrict: the optimized decoder behaves exactly as the reference implementation', () => {
  it('on CBOR-like items with every head width (values, error codes, messages and details)', () => {
    fc.assert(
      fc.property(cborishBytes, fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 2 }), decodeOptions, (item, tail, options) => {
        const bytes = Uint8Array.from([...item, ...tail]);
        expect(outcomeOf(() => decodeCborStrict(bytes, options))).toStrictEqual(outcomeOf(() => referenceDecodeCborStrict(bytes, options)));
      }),
      { numRuns: 4000 },
    );
  });

  it('on arbitrary bytes, and on Buffers and views into larger buffers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(8), decodeOptions, (raw, pad, options) => {
        const padded = Buffer.alloc(raw.length + 2 * pad, 0xa5);
        padded.set(raw, pad);
        for (const bytes of [raw, padded.subarray(pad, pad + raw.length)]) {
          expect(outcomeOf(() => decodeCborStrict(bytes, options))).toStrictEqual(outcomeOf(() => referenceDecodeCborStrict(bytes, options)));
        }
      }),
      { numRuns: 4000 },
    );
  });

  it('on mutated encodings of arbitrary values', () => {
    fc.assert(
      fc.property(cborValue, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), (value, mutations) => {
        const bytes = encodeCbor(value);
        for (const [position, byte] of mutations) if (bytes.length > 0) bytes[position % bytes.length] = byte;
        const options = { maxBytes: 1 << 20, maxDepth: 64, preserveFloats: mutations.length % 2 === 0 };
        expect(outcomeOf(() => decodeCborStrict(bytes, options))).toStrictEqual(outcomeOf(() => referenceDecodeCborStrict(bytes, options)));
      }),
      { numRuns: 2000 },
    );
  });
});
