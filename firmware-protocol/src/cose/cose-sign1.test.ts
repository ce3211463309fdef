import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../cbor/encode-cbor.js';
import { CborTag } from '../cbor/cbor-value.js';
import { createEd25519Signer, ed25519PublicKey } from '../crypto/ed25519-keys.js';
import { createEd25519Verifier } from '../crypto/ed25519-verifier.js';
import { isProtocolError, type ProtocolErrorCode } from '../errors/protocol-error.js';
import { coseSigStructure } from './cose-sig-structure.js';
import { decodeCoseSign1 } from './decode-cose-sign1.js';
import { encodeCoseSign1 } from './encode-cose-sign1.js';
import { signCoseSign1 } from './sign-cose-sign1.js';
import { assertCoseSign1Signature, verifyCoseSign1 } from './verify-cose-sign1.js';
import { protocolErrorCodeOf } from '../testing/protocol-error-code-of.js';
import { hex, toHex } from '../testing/hex.js';

const seed = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const publicKey = ed25519PublicKey(seed);

describe('COSE_Sign1 layout (RFC 9052 section 4.2 and 4.4, spec section 2)', () => {
  it('builds the Sig_structure ["Signature1", h\'a10127\', h\'\', payload] byte for byte', () => {
    expect(toHex(coseSigStructure(hex('a10127'), hex('a0')))).toBe('846a5369676e61747572653143a101274041a0');
  });

  it('encodes tag 18, the fixed protected header, the kid as a bstr and a 64-byte signature', () => {
    const bytes = encodeCoseSign1({ kid: 'AB', payloadBytes: hex('a0'), signature: new Uint8Array(64) });
    expect(toHex(bytes)).toBe(`d28443a10127a104424142 41a0 5840${'00'.repeat(64)}`.replace(/ /g, ''));
  });

  it('signs deterministically, decodes and verifies with both implementations', () => {
    const payload = encodeCbor({ v: 1 });
    const bytes = signCoseSign1({ kid: 'dev-1', payload, secretKey: seed });
    expect(signCoseSign1({ kid: 'dev-1', payload, secretKey: createEd25519Signer(seed) })).toStrictEqual(bytes);
    const cose = decodeCoseSign1(bytes);
    expect(cose.kid).toBe('dev-1');
    expect(cose.payloadBytes).toStrictEqual(payload);
    expect(cose.protectedBytes).toStrictEqual(hex('a10127'));
    for (const implementation of ['node', 'noble'] as const) {
      const verifier = createEd25519Verifier(publicKey, { implementation });
      expect(verifyCoseSign1(cose, verifier)).toBe(true);
      const tampered = { ...cose, payloadBytes: encodeCbor({ v: 2 }) };
      expect(verifyCoseSign1(tampered, verifier)).toBe(false);
      expect(protocolErrorCodeOf(() => assertCoseSign1Signature(tampered, verifier))).toBe('E_COSE_SIGNATURE');
    }
  });

  it('verifies over the protected bytes as received, which a signature over other bytes does not match', () => {
    const payload = hex('a0');
    const cose = decodeCoseSign1(signCoseSign1({ kid: 'd', payload, secretKey: seed }));
    const verifier = createEd25519Verifier(publicKey);
    expect(verifyCoseSign1({ ...cose, protectedBytes: hex('a1013807') }, verifier)).toBe(false);
  });
});

describe('decodeCoseSign1: structural errors', () => {
  const sig = new Uint8Array(64);
  const kid = new TextEncoder().encode('dev');
  const good = (parts: readonly unknown[]): Uint8Array => encodeCbor(new CborTag(18, parts as never));
  const cases: readonly [string, Uint8Array, ProtocolErrorCode][] = [
    ['not CBOR', hex('ff'), 'E_CBOR_UNEXPECTED_BREAK'],
    ['untagged array', encodeCbor([hex('a10127'), new Map([[4, kid]]), hex('a0'), sig]), 'E_COSE_TAG'],
    ['tag 98 (COSE_Sign)', encodeCbor(new CborTag(98, [])), 'E_COSE_TAG'],
    ['three elements', good([hex('a10127'), new Map([[4, kid]]), hex('a0')]), 'E_COSE_STRUCTURE'],
    ['protected as a map', good([new Map([[1, -8]]), new Map([[4, kid]]), hex('a0'), sig]), 'E_COSE_PROTECTED_HEADER'],
    ['protected alg ES256', good([hex('a10126'), new Map([[4, kid]]), hex('a0'), sig]), 'E_COSE_PROTECTED_HEADER'],
    ['protected {1:-8} non-preferred', good([hex('a1013807'), new Map([[4, kid]]), hex('a0'), sig]), 'E_COSE_PROTECTED_HEADER'],
    ['empty protected', good([hex(''), new Map([[4, kid]]), hex('a0'), sig]), 'E_COSE_PROTECTED_HEADER'],
    ['unprotected alg', good([hex('a10127'), new Map<number, unknown>([[1, -8], [4, kid]]), hex('a0'), sig]), 'E_COSE_STRUCTURE'],
    ['unprotected not a map', good([hex('a10127'), [], hex('a0'), sig]), 'E_COSE_STRUCTURE'],
    ['no kid', good([hex('a10127'), new Map(), hex('a0'), sig]), 'E_COSE_KID'],
    ['kid as text', good([hex('a10127'), new Map([[4, 'dev']]), hex('a0'), sig]), 'E_COSE_KID'],
    ['kid not UTF-8', good([hex('a10127'), new Map([[4, hex('ff')]]), hex('a0'), sig]), 'E_COSE_KID'],
    ['kid not a device id', good([hex('a10127'), new Map([[4, new TextEncoder().encode('a b')]]), hex('a0'), sig]), 'E_COSE_KID'],
    ['kid empty', good([hex('a10127'), new Map([[4, new Uint8Array()]]), hex('a0'), sig]), 'E_COSE_KID'],
    ['detached payload', good([hex('a10127'), new Map([[4, kid]]), null, sig]), 'E_COSE_STRUCTURE'],
    ['payload as a map', good([hex('a10127'), new Map([[4, kid]]), new Map(), sig]), 'E_COSE_STRUCTURE'],
    ['short signature', good([hex('a10127'), new Map([[4, kid]]), hex('a0'), new Uint8Array(63)]), 'E_COSE_SIGNATURE_LENGTH'],
    ['signature as text', good([hex('a10127'), new Map([[4, kid]]), hex('a0'), 'x']), 'E_COSE_SIGNATURE_LENGTH'],
  ];
  for (const [name, bytes, code] of cases) {
    it(`rejects ${name} with ${code}`, () => {
      expect(protocolErrorCodeOf(() => decodeCoseSign1(bytes))).toBe(code);
    });
  }

  it('applies the 4 KiB default limit and a configurable one', () => {
    const payload = new Uint8Array(4100);
    const bytes = encodeCoseSign1({ kid: 'dev', payloadBytes: payload, signature: sig });
    expect(protocolErrorCodeOf(() => decodeCoseSign1(bytes))).toBe('E_CBOR_TOO_LARGE');
    expect(decodeCoseSign1(bytes, { maxBytes: 8192 }).payloadBytes).toHaveLength(4100);
  });
});

describe('decodeCoseSign1: fuzz', () => {
  const valid = signCoseSign1({ kid: 'pump-0042', payload: encodeCbor({ v: 1, dev: 'pump-0042' }), secretKey: seed });

  it('never throws anything but a ProtocolError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const code = protocolErrorCodeOf(() => decodeCoseSign1(bytes));
        expect(code === 'none' || code.startsWith('E_')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws anything but a ProtocolError on mutated valid messages, and never verifies a changed payload', () => {
    const verifier = createEd25519Verifier(publicKey);
    const original = decodeCoseSign1(valid);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 3 }), (position, xor, cut) => {
        const bytes = new Uint8Array(valid);
        bytes[position % bytes.length]! ^= xor;
        const mutated = cut === 0 ? bytes.subarray(0, position % bytes.length) : bytes;
        let cose;
        try {
          cose = decodeCoseSign1(mutated);
        } catch (error) {
          expect(isProtocolError(error)).toBe(true);
          return;
        }
        // The kid is unprotected (RFC 9052: only the protected header and payload are signed), so a changed
        // kid may still verify; that is why the payload's `dev` must equal the kid (decodeDeviceMessage).
        if (verifyCoseSign1(cose, verifier)) {
          expect(cose.payloadBytes).toStrictEqual(original.payloadBytes);
          expect(cose.signature).toStrictEqual(original.signature);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
