import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError } from '../errors/protocol-error.js';
import {
  createEd25519Signer,
  ed25519PublicKey,
  ed25519Sign,
  generateEd25519KeyPair,
} from './ed25519-keys.js';
import { createEd25519Verifier, type Ed25519Implementation } from './ed25519-verifier.js';
import { hex } from '../testing/hex.js';

const implementations: readonly Ed25519Implementation[] = ['node', 'noble'];

// RFC 8032 section 7.1, TEST 1-3.
const rfc8032 = [
  {
    name: 'TEST 1 (empty message)',
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2 (one byte)',
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3 (two bytes)',
    secretKey: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe('Ed25519: RFC 8032 known answers', () => {
  for (const vector of rfc8032) {
    it(`derives the public key and signature of ${vector.name}, and both verifiers accept it`, () => {
      const secretKey = hex(vector.secretKey);
      expect(Buffer.from(ed25519PublicKey(secretKey)).toString('hex')).toBe(vector.publicKey);
      expect(Buffer.from(ed25519Sign(hex(vector.message), secretKey)).toString('hex')).toBe(vector.signature);
      expect(Buffer.from(createEd25519Signer(secretKey).sign(hex(vector.message))).toString('hex')).toBe(vector.signature);
      for (const implementation of implementations) {
        const verifier = createEd25519Verifier(hex(vector.publicKey), { implementation });
        expect(verifier.verify(hex(vector.message), hex(vector.signature))).toBe(true);
        expect(verifier.verify(hex(vector.message + '00'), hex(vector.signature))).toBe(false);
      }
    });
  }
});

describe('Ed25519: keys and verifiers', () => {
  it('generates key pairs from the injected randomness', () => {
    const seed = hex(rfc8032[0]!.secretKey);
    const pair = generateEd25519KeyPair(() => seed);
    expect(Buffer.from(pair.publicKey).toString('hex')).toBe(rfc8032[0]!.publicKey);
    expect(pair.secretKey).toStrictEqual(seed);
    expect(generateEd25519KeyPair().secretKey).toHaveLength(32);
  });

  it('rejects secret keys that are not 32 bytes with E_KEY_INVALID', () => {
    expect(() => ed25519Sign(new Uint8Array(), new Uint8Array(31))).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID' }));
    expect(() => generateEd25519KeyPair(() => new Uint8Array(16))).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID' }));
  });

  it('rejects public keys of the wrong length, non-canonical encodings and small-order points with E_KEY_INVALID', () => {
    const bad = [
      new Uint8Array(31),
      // y = p (non-canonical encoding of y = 0).
      hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'),
      // The identity point (small order).
      hex('0100000000000000000000000000000000000000000000000000000000000000'),
      // A point of order 8.
      hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'),
      // y = 2 is not on the curve... (x^2 has no square root)
      hex('0200000000000000000000000000000000000000000000000000000000000000'),
    ];
    for (const key of bad) {
      for (const implementation of implementations) {
        expect(() => createEd25519Verifier(key, { implementation })).toThrow(
          expect.objectContaining({ code: 'E_KEY_INVALID' }),
        );
      }
    }
  });

  it('returns false, never throws, for signatures of the wrong length or with S above the group order', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const message = hex('0102');
    const signature = ed25519Sign(message, secretKey);
    // S + L: the same S modulo L, which RFC 8032 section 5.1.7 requires verifiers to reject.
    const l = 2n ** 252n + 27742317777372353535851937790883648493n;
    const s = BigInt('0x' + Buffer.from(signature.subarray(32)).reverse().toString('hex'));
    const malleated = new Uint8Array(signature);
    malleated.set(Buffer.from((s + l).toString(16).padStart(64, '0'), 'hex').reverse(), 32);
    for (const implementation of implementations) {
      const verifier = createEd25519Verifier(publicKey, { implementation });
      expect(verifier.verify(message, signature)).toBe(true);
      expect(verifier.verify(message, signature.subarray(0, 63))).toBe(false);
      expect(verifier.verify(message, new Uint8Array(65))).toBe(false);
      expect(verifier.verify(message, malleated)).toBe(false);
    }
  });

  it('node:crypto and @noble/ed25519 agree on valid, corrupted and foreign signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom('valid', 'flip-signature', 'flip-message', 'random-signature'),
        (seed, message, position, xor, kind) => {
          const publicKey = ed25519PublicKey(seed);
          let signature = ed25519Sign(message, seed);
          let signed = message;
          if (kind === 'flip-signature') {
            signature = new Uint8Array(signature);
            signature[position % 64]! ^= xor;
          } else if (kind === 'flip-message' && message.length > 0) {
            signed = new Uint8Array(message);
            signed[position % message.length]! ^= xor;
          } else if (kind === 'random-signature') {
            signature = ed25519Sign(message, ed25519PublicKey(publicKey));
          }
          const node = createEd25519Verifier(publicKey, { implementation: 'node' }).verify(signed, signature);
          const noble = createEd25519Verifier(publicKey, { implementation: 'noble' }).verify(signed, signature);
          expect(node).toBe(noble);
          expect(node).toBe(kind === 'valid' || (kind === 'flip-message' && message.length === 0));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('typed errors only: createEd25519Verifier on arbitrary 32 bytes throws E_KEY_INVALID or succeeds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        try {
          createEd25519Verifier(bytes).verify(new Uint8Array(), new Uint8Array(64));
        } catch (error) {
          expect(isProtocolError(error) && error.code).toBe('E_KEY_INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });
});
