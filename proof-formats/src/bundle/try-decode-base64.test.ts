import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../encoding/canonical-base64.js';
import { tryDecodeBase64 } from './try-decode-base64.js';

function strict(text: string, length?: number): Uint8Array | undefined {
  try {
    return decodeBase64(text, 'x', length);
  } catch {
    return undefined;
  }
}

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const near = fc.constantFrom(...alphabet.split(''), '=', '-', '_', ' ', '\n', '\t', '.', '\u00c4', '\u0100', '\u0141', '\u2941', '\uff2b', '\ud83d', '\0');

describe('tryDecodeBase64 accepts exactly what decodeBase64 accepts, with the same bytes', () => {
  it('on encodings of arbitrary bytes, with one character replaced, inserted or deleted', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), fc.nat(100), near, fc.constantFrom('keep', 'replace', 'insert', 'delete'), fc.option(fc.nat(40)), (bytes, at, c, how, expected) => {
        const valid = Buffer.from(bytes).toString('base64');
        const i = valid.length === 0 ? 0 : at % valid.length;
        const text =
          how === 'keep' ? valid : how === 'replace' ? valid.slice(0, i) + c + valid.slice(i + 1) : how === 'insert' ? valid.slice(0, i) + c + valid.slice(i) : valid.slice(0, i) + valid.slice(i + 1);
        const length = expected ?? undefined;
        expect(tryDecodeBase64(text, length)).toEqual(strict(text, length));
        expect(tryDecodeBase64(text)).toEqual(strict(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('on arbitrary strings over the alphabet and its neighbours', () => {
    fc.assert(
      fc.property(fc.string({ unit: near, maxLength: 16 }), (text) => {
        expect(tryDecodeBase64(text)).toEqual(strict(text));
        expect(tryDecodeBase64(text, 32)).toEqual(strict(text, 32));
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses non-zero padding bits, base64url and missing padding', () => {
    for (const text of ['AR==', 'AQR=', '-_8=', 'AQ', 'A===', '====', 'AQ==AQ==', 'AAA=AAA=']) {
      expect(tryDecodeBase64(text)).toBeUndefined();
      expect(strict(text)).toBeUndefined();
    }
    expect(tryDecodeBase64('AQID')).toEqual(Uint8Array.of(1, 2, 3));
    expect(tryDecodeBase64('')).toEqual(new Uint8Array(0));
  });
});
