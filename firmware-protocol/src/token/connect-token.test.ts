import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCbor, type CborEncodable } from '../cbor/encode-cbor.js';
import { CborFloat } from '../cbor/cbor-value.js';
import { ed25519PublicKey } from '../crypto/ed25519-keys.js';
import { createEd25519Verifier } from '../crypto/ed25519-verifier.js';
import { signCoseSign1 } from '../cose/sign-cose-sign1.js';
import { verifyCoseSign1 } from '../cose/verify-cose-sign1.js';
import { type ProtocolErrorCode } from '../errors/protocol-error.js';
import { createConnectToken, decodeConnectToken, isConnectTokenFresh } from './connect-token.js';
import { protocolErrorCodeOf } from '../testing/protocol-error-code-of.js';

const seed = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
const iat = 1_767_225_600_000;

const token = (fields: Record<string, CborEncodable>, kid = 'pump-7'): Uint8Array =>
  signCoseSign1({ kid, payload: encodeCbor(new Map(Object.entries(fields))), secretKey: seed });

describe('connect tokens (spec section 3)', () => {
  it('creates a token that decodes, verifies and carries the payload in the spec order', () => {
    const bytes = createConnectToken({ deviceId: 'pump-7', secretKey: seed, issuedAtMs: iat });
    const decoded = decodeConnectToken(bytes);
    expect(decoded.token).toStrictEqual({ v: 1, dev: 'pump-7', purpose: 'connect', iat });
    expect(Buffer.from(decoded.cose.payloadBytes).toString('hex')).toBe(
      'a4617601636465766670756d702d3767707572706f736567636f6e6e656374636961741b0000019b76daa800',
    );
    expect(verifyCoseSign1(decoded.cose, createEd25519Verifier(ed25519PublicKey(seed)))).toBe(true);
  });

  it('judges freshness within 300 s either way', () => {
    const t = { v: 1, dev: 'a', purpose: 'connect', iat } as const;
    expect(isConnectTokenFresh(t, iat + 300_000)).toBe(true);
    expect(isConnectTokenFresh(t, iat - 300_000)).toBe(true);
    expect(isConnectTokenFresh(t, iat + 300_001)).toBe(false);
    expect(isConnectTokenFresh(t, iat - 300_001)).toBe(false);
  });

  const good = { v: 1, dev: 'pump-7', purpose: 'connect', iat };
  const cases: readonly [string, Uint8Array, ProtocolErrorCode][] = [
    ['an extra key', token({ ...good, nonce: 1 }), 'E_TOKEN_SCHEMA'],
    ['missing iat', token({ v: 1, dev: 'pump-7', purpose: 'connect' }), 'E_TOKEN_SCHEMA'],
    ['v 2', token({ ...good, v: 2 }), 'E_TOKEN_SCHEMA'],
    ['purpose other than connect', token({ ...good, purpose: 'upload' }), 'E_TOKEN_SCHEMA'],
    ['iat as a float', token({ ...good, iat: new CborFloat(iat) }), 'E_TOKEN_SCHEMA'],
    ['iat negative', token({ ...good, iat: -1 }), 'E_TOKEN_SCHEMA'],
    ['iat beyond 2^53', token({ ...good, iat: 2n ** 60n }), 'E_TOKEN_SCHEMA'],
    ['not a map', token({}).subarray(0, 0), 'E_CBOR_TRUNCATED'],
    ['dev other than the kid', token({ ...good, dev: 'pump-8' }), 'E_KID_MISMATCH'],
    ['a device message passed as a token', token({ v: 1, dev: 'pump-7', seq: 1, t: iat, type: 'steps', data: {} }), 'E_TOKEN_SCHEMA'],
  ];
  for (const [name, bytes, code] of cases) {
    it(`rejects ${name} with ${code}`, () => {
      expect(protocolErrorCodeOf(() => decodeConnectToken(bytes))).toBe(code);
    });
  }

  it('never throws anything but a ProtocolError on arbitrary or mutated tokens', () => {
    const valid = createConnectToken({ deviceId: 'pump-7', secretKey: seed, issuedAtMs: iat });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (noise, position, xor) => {
        const mutated = new Uint8Array(valid);
        mutated[position % mutated.length]! ^= xor;
        for (const input of [noise, mutated]) {
          const code = protocolErrorCodeOf(() => decodeConnectToken(input));
          expect(code === 'none' || code.startsWith('E_')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
