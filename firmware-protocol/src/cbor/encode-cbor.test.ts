import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError } from '../errors/protocol-error.js';
import { CborFloat, CborTag, type CborValue } from './cbor-value.js';
import { encodeCbor, type CborEncodable } from './encode-cbor.js';
import { referenceEncodeCbor } from './testing/reference-encode-cbor.js';

/** The bytes, or the error (code and message for ours, class and message for anything else). */
function outcomeOf(encode: () => Uint8Array): unknown {
  try {
    const bytes = encode();
    return { bytes: Buffer.from(bytes).toString('hex'), type: Object.getPrototypeOf(bytes) === Uint8Array.prototype ? 'Uint8Array' : 'other' };
  } catch (error) {
    if (isProtocolError(error)) return { code: error.code, message: error.message };
    return { thrown: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const encodable: fc.Arbitrary<CborEncodable> = fc.letrec<{ value: CborEncodable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(),
    fc.oneof(fc.constant(2 ** 32), fc.constant(2 ** 32 - 1), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(-Number.MAX_SAFE_INTEGER), fc.constant(2 ** 53), fc.constant(-0)),
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }),
    fc.double(),
    fc.double().map((d) => new CborFloat(d)),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ minLength: 20, maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom(true, false, null, undefined),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(fc.constant(0), { minLength: 23, maxLength: 300 }),
    fc
      .uniqueArray(fc.tuple(fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n }), fc.string(), fc.double()), tie('value')), {
        maxLength: 5,
        selector: ([key]) => key,
      })
      .map((entries) => new Map(entries)),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
    fc.tuple(fc.oneof(fc.integer({ min: -5, max: 2 ** 33 }), fc.bigInt({ min: -5n, max: 2n ** 64n + 5n }), fc.double()), tie('value')).map(
      ([tag, value]) => new CborTag(tag, value as CborValue),
    ),
  ),
})).value;

describe('encodeCbor: the optimized encoder writes exactly what the reference implementation writes', () => {
  it('on arbitrary values, including lone surrogates, unsafe numbers, bigints, tags and nesting', () => {
    fc.assert(
      fc.property(encodable, (value) => {
        expect(outcomeOf(() => encodeCbor(value))).toStrictEqual(outcomeOf(() => referenceEncodeCbor(value)));
      }),
      { numRuns: 3000 },
    );
  });

  it('on values nested beyond the depth limit, and after a failed encode (the scratch buffer is reset)', () => {
    let deep: CborEncodable = 1;
    for (let i = 0; i < 600; i += 1) deep = [deep];
    expect(outcomeOf(() => encodeCbor(deep))).toStrictEqual(outcomeOf(() => referenceEncodeCbor(deep)));
    expect(outcomeOf(() => encodeCbor([1, 2n ** 70n]))).toStrictEqual({ code: 'E_CBOR_UNENCODABLE', message: 'integer above 2^64 - 1' });
    expect(Buffer.from(encodeCbor([1, 2])).toString('hex')).toBe('820102');
  });

  it('returns a fresh array each time, never the scratch buffer', () => {
    const first = encodeCbor('abc');
    const second = encodeCbor('xyz');
    expect(Buffer.from(first).toString('hex')).toBe('63616263');
    expect(Buffer.from(second).toString('hex')).toBe('6378797a');
    expect(first.buffer).not.toBe(second.buffer);
  });

  it('encodes re-entrantly (an encode from within a getter of the value being encoded)', () => {
    const value = {
      get inner(): CborEncodable {
        return encodeCbor({ deeper: [1, 'two'] });
      },
      after: 'x',
    };
    expect(outcomeOf(() => encodeCbor(value))).toStrictEqual(outcomeOf(() => referenceEncodeCbor(value)));
  });
});
