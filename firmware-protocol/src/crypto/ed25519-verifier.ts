import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ProtocolError } from '../errors/protocol-error.js';
import { ED25519_PUBLIC_KEY_LENGTH, ED25519_SIGNATURE_LENGTH } from './ed25519-keys.js';
import { ed } from './noble-sha512.js';

export type Ed25519Implementation = 'node' | 'noble';

/**
 * The default verification path. node:crypto (OpenSSL) with a cached KeyObject measured several times faster
 * than @noble/ed25519 on the reference machine (bench/suites/ed25519-verify.ts; numbers in
 * docs/firmware-protocol.md), so it is the default; @noble/ed25519 stays available as a pure-JS path.
 */
export const DEFAULT_ED25519_IMPLEMENTATION: Ed25519Implementation = 'node';

export interface Ed25519Verifier {
  readonly publicKey: Uint8Array;
  readonly implementation: Ed25519Implementation;
  /** True only for a 64-byte signature that is valid for `message` under this key; never throws for bad input. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface CreateEd25519VerifierOptions {
  readonly implementation?: Ed25519Implementation;
}

// SubjectPublicKeyInfo wrapping of a raw Ed25519 public key (RFC 8410 section 4).
const SPKI_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

/**
 * Builds a verifier for one public key, checking the key once: 32 bytes, a canonical encoding of a curve point
 * (RFC 8032 section 5.1.3) and not of small order (E_KEY_INVALID otherwise). Rejecting small-order keys up
 * front matters: with such a key, one signature can verify for many messages, and the two implementations
 * (OpenSSL's cofactorless check, noble's cofactored one) would judge those differently.
 *
 * Verification is strict RFC 8032 section 5.1.7 in both paths (noble with `zip215: false`): S must be below
 * the group order, points canonical.
 */
export function createEd25519Verifier(
  publicKey: Uint8Array,
  options: CreateEd25519VerifierOptions = {},
): Ed25519Verifier {
  assertPublicKey(publicKey);
  const key = new Uint8Array(publicKey);
  const implementation = options.implementation ?? DEFAULT_ED25519_IMPLEMENTATION;
  if (implementation === 'noble') {
    return {
      publicKey: key,
      implementation,
      verify: (message, signature) =>
        signature instanceof Uint8Array &&
        signature.length === ED25519_SIGNATURE_LENGTH &&
        safely(() => ed.verify(signature, message, key, { zip215: false })),
    };
  }
  const der = new Uint8Array(SPKI_ED25519_PREFIX.length + ED25519_PUBLIC_KEY_LENGTH);
  der.set(SPKI_ED25519_PREFIX);
  der.set(key, SPKI_ED25519_PREFIX.length);
  // Built once and cached: rebuilding the KeyObject for every verification costs about 40 %.
  const keyObject: KeyObject = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  return {
    publicKey: key,
    implementation,
    verify: (message, signature) =>
      signature instanceof Uint8Array &&
      signature.length === ED25519_SIGNATURE_LENGTH &&
      safely(() => nodeVerify(null, message, keyObject, signature)),
  };
}

/** Throws `E_KEY_INVALID` unless `publicKey` is a usable Ed25519 public key (see `createEd25519Verifier`). */
export function assertEd25519PublicKey(publicKey: Uint8Array): void {
  assertPublicKey(publicKey);
}

function assertPublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new ProtocolError('E_KEY_INVALID', `an Ed25519 public key is ${ED25519_PUBLIC_KEY_LENGTH} bytes`, {
      details: { length: publicKey instanceof Uint8Array ? publicKey.length : null },
    });
  }
  let point: InstanceType<typeof ed.Point>;
  try {
    point = ed.Point.fromBytes(publicKey, false);
  } catch (cause) {
    throw new ProtocolError('E_KEY_INVALID', 'the Ed25519 public key is not a valid curve point encoding', { cause });
  }
  if (point.isSmallOrder()) {
    throw new ProtocolError('E_KEY_INVALID', 'the Ed25519 public key is a small-order point');
  }
}

function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
