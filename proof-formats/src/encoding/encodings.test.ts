import { isTrialgateError } from '@trialgate/firmware-protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateJsonKey } from '../bundle/duplicate-json-keys.js';
import { parseVerifierKey } from '../note/note-verifier.js';
import { decodeBase64, encodeBase64 } from './canonical-base64.js';
import { isWellFormedText } from './text-checks.js';

function typedOnly(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    expect(isTrialgateError(error), String(error)).toBe(true);
  }
}

describe('canonical base64', () => {
  it('round-trips every byte string and accepts only the canonical text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        expect(decodeBase64(encodeBase64(bytes), 'x')).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        let decoded: Uint8Array | undefined;
        try {
          decoded = decodeBase64(text, 'x');
        } catch (error) {
          expect(isTrialgateError(error)).toBe(true);
          return;
        }
        expect(encodeBase64(decoded)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses missing padding, non-zero padding bits, whitespace, URL-safe letters and a wrong length', () => {
    for (const text of ['AQ', 'AR==', 'AQ== ', 'A Q==', '-_8=', 'AQID\n']) expect(() => decodeBase64(text, 'x')).toThrow();
    expect(() => decodeBase64('AQID', 'x', 4)).toThrowError(/must be 4 bytes/);
  });
});

describe('other attacker-controlled text', () => {
  it('parseVerifierKey throws only typed errors', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 90 }), (text) => typedOnly(() => parseVerifierKey(text))), { numRuns: 3000 });
  });

  it('findDuplicateJsonKey agrees with a reference on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        expect(findDuplicateJsonKey(text)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
    expect(findDuplicateJsonKey('{"a":{"b":1,"b":2}}')).toEqual({ key: 'b', path: '$.a' });
    expect(findDuplicateJsonKey('{"a":"x\\"","a":1}')?.key).toBe('a');
    expect(findDuplicateJsonKey('{"\\u0061":1,"a":2}')?.key).toBe('a');
    expect(findDuplicateJsonKey('[{"a":1},{"a":2}]')).toBeUndefined();
  });

  it('isWellFormedText finds lone surrogates', () => {
    expect(isWellFormedText('a\ud83d\ude00b')).toBe(true);
    expect(isWellFormedText('a\ud83d')).toBe(false);
    expect(isWellFormedText('\ude00a')).toBe(false);
  });
});
