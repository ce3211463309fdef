import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundleText } from './bundle-text.js';

const fatal = new TextDecoder('utf-8', { fatal: true });

function reference(bytes: Uint8Array): string | 'E_BUNDLE_NOT_JSON' {
  try {
    return fatal.decode(bytes);
  } catch {
    return 'E_BUNDLE_NOT_JSON';
  }
}

function actual(bytes: Uint8Array): string {
  try {
    return bundleText(bytes);
  } catch (error) {
    return (error as { code: string }).code;
  }
}

describe('bundleText decodes as a fatal TextDecoder does', () => {
  it('on arbitrary bytes, UTF-8 text, and text with a byte order mark or a broken sequence', () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8')))), fc.boolean(), fc.option(fc.tuple(fc.nat(40), fc.integer({ min: 0x80, max: 0xff }))), (body, withBom, corrupt) => {
        const bytes = new Uint8Array([...(withBom ? bom : []), ...body]);
        if (corrupt !== null && bytes.length > 0) bytes[corrupt[0] % bytes.length] = corrupt[1];
        expect(actual(bytes)).toBe(reference(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('edge cases: surrogates, overlong forms, code points past U+10FFFF, two byte order marks, a view into a larger buffer', () => {
    for (const bytes of [[0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x41], [0xef, 0xbb], [0xef, 0xbb, 0xbf]]) {
      expect(actual(Uint8Array.from(bytes))).toBe(reference(Uint8Array.from(bytes)));
    }
    const big = new Uint8Array(Buffer.from('xx{"a":"\u00e9"}yy', 'utf8'));
    const view = big.subarray(2, big.length - 2);
    expect(actual(view)).toBe('{"a":"\u00e9"}');
  });
});
