import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodingsOf, findSecrets, textNeedles } from './secret-needles.js';

describe('secret needles', () => {
  it('find a secret embedded anywhere in a longer byte string, in hex, base64, base64url or as a decimal list', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 40 }), fc.uint8Array({ maxLength: 9 }), fc.uint8Array({ maxLength: 9 }), (secret, before, after) => {
        const needles = encodingsOf('s', secret);
        const blob = Buffer.concat([before, secret, after]);
        for (const encoding of ['hex', 'base64', 'base64url'] as const) {
          expect(findSecrets(`{"x":"${blob.toString(encoding)}"}`, needles).length, encoding).toBeGreaterThan(0);
        }
        expect(findSecrets(blob.toString('hex').toUpperCase(), needles).length).toBeGreaterThan(0);
        expect(findSecrets(JSON.stringify({ type: 'Buffer', data: [...blob] }), needles).length).toBeGreaterThan(0);
        expect(findSecrets(new Uint8Array(blob).toString(), needles).length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('find a text secret as written and as its encoded bytes, and nothing in unrelated text', () => {
    const needles = textNeedles('token', 'tgt_AbCdEfGhIjKlMnOp');
    expect(findSecrets('authorization: Bearer tgt_AbCdEfGhIjKlMnOp', needles)).toEqual(['token, as text']);
    expect(findSecrets(Buffer.from('xxtgt_AbCdEfGhIjKlMnOpyy').toString('base64'), needles).length).toBeGreaterThan(0);
    expect(findSecrets('{"level":"info","msg":"device connected","deviceId":"hr-0001"}', needles)).toEqual([]);
  });
});
