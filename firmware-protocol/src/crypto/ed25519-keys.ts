import { createPrivateKey, randomBytes as nodeRandomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { ProtocolError } from '../errors/protocol-error.js';
import { ed } from './noble-sha512.js';

/** RFC 8032 section 5.1.5: an Ed25519 secret key is a 32-byte seed; the public key is 32 bytes. */
export const ED25519_SEED_LENGTH = 32;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

export interface Ed25519KeyPair {
  /** The 32-byte seed (RFC 8032 section 5.1.5). Keep it secret; never log it. */
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Randomness is a port: tests and the simulator pass a seeded source, production uses node:crypto. */
export type RandomBytes = (length: number) => Uint8Array;

const defaultRandomBytes: RandomBytes = (length) => new Uint8Array(nodeRandomBytes(length));

export function generateEd25519KeyPair(randomBytes: RandomBytes = defaultRandomBytes): Ed25519KeyPair {
  const secretKey = new Uint8Array(randomBytes(ED25519_SEED_LENGTH));
  assertSeed(secretKey);
  return { secretKey, publicKey: ed25519PublicKey(secretKey) };
}

export function ed25519PublicKey(secretKey: Uint8Array): Uint8Array {
  assertSeed(secretKey);
  return ed.getPublicKey(secretKey);
}

/** A signer that builds its node:crypto key once; signing is deterministic (RFC 8032 section 5.1.6). */
export interface Ed25519Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

// PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410 section 7): node:crypto imports keys only in DER/PEM/JWK.
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

export function createEd25519Signer(secretKey: Uint8Array): Ed25519Signer {
  assertSeed(secretKey);
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + ED25519_SEED_LENGTH);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(secretKey, PKCS8_ED25519_PREFIX.length);
  const key: KeyObject = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  der.fill(0);
  const publicKey = ed25519PublicKey(secretKey);
  return {
    publicKey,
    sign: (message) => new Uint8Array(nodeSign(null, message, key)),
  };
}

/** Signs `message` (RFC 8032 section 5.1.6). For many messages with one key, `createEd25519Signer` is faster. */
export function ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  assertSeed(secretKey);
  return ed.sign(message, secretKey);
}

function assertSeed(secretKey: Uint8Array): void {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== ED25519_SEED_LENGTH) {
    throw new ProtocolError('E_KEY_INVALID', `an Ed25519 secret key is a ${ED25519_SEED_LENGTH}-byte seed`, {
      details: { length: secretKey instanceof Uint8Array ? secretKey.length : null },
    });
  }
}
