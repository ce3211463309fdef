import { assertEd25519PublicKey } from '@trialgate/firmware-protocol';
import {
  ED25519_PUBLIC_KEY_LENGTH,
  ed25519PublicKeyObject,
  ed25519Verify,
} from '../crypto/ed25519.js';
import { decodeBase64, encodeBase64 } from '../encoding/canonical-base64.js';
import { concatBytes } from '../encoding/bytes.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { isValidKeyName } from './key-name.js';
import { NOTE_SIGNATURE_TYPE_ED25519, formatKeyId, noteKeyId } from './note-key-id.js';

/** A key that can check note signatures: the (name, key ID) pair identifies it in signature lines. */
export interface NoteVerifier {
  readonly name: string;
  /** uint32 key ID. */
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** `<name>+<8 hex>+<base64(0x01 || public key)>`. */
  readonly verifierKey: string;
  /** Attacker-controlled message and signature: answers, never throws. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** A verifier for an Ed25519 public key under `name`. */
export function createNoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) {
    throw new ProofFormatError('E_NOTE_KEY_NAME', 'a key name must be non-empty, without spaces or "+"', {
      details: { name },
    });
  }
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new ProofFormatError('E_VERIFIER_KEY', 'an Ed25519 public key is 32 bytes');
  }
  try {
    // RFC 8032 section 5.1.3 point decoding, and no small-order key (whose signatures prove nothing).
    assertEd25519PublicKey(publicKey);
  } catch (error) {
    throw new ProofFormatError('E_VERIFIER_KEY', 'not a usable Ed25519 public key', { cause: error });
  }
  const key = ed25519PublicKeyObject(publicKey);
  if (key === undefined) throw new ProofFormatError('E_VERIFIER_KEY', 'not a usable Ed25519 public key');
  const keyId = noteKeyId(name, publicKey);
  const copy = Uint8Array.from(publicKey);
  return {
    name,
    keyId,
    publicKey: copy,
    verifierKey: formatVerifierKey(name, copy),
    verify: (message, signature) => ed25519Verify(key, message, signature),
  };
}

/** `<key name>+<8 hex digits of key ID>+<base64(0x01 || public key)>` (spec section 5). */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) {
    throw new ProofFormatError('E_NOTE_KEY_NAME', 'a key name must be non-empty, without spaces or "+"', {
      details: { name },
    });
  }
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new ProofFormatError('E_VERIFIER_KEY', 'an Ed25519 public key is 32 bytes');
  }
  const material = concatBytes(Uint8Array.of(NOTE_SIGNATURE_TYPE_ED25519), publicKey);
  return `${name}+${formatKeyId(noteKeyId(name, publicKey))}+${encodeBase64(material)}`;
}

/**
 * Attacker-controlled when it comes from a bundle: parses a verifier key strictly. The name runs up to the
 * first "+", the key ID is 8 hex digits (either case, as Go's parser accepts), the key material is canonical
 * base64 of 0x01 followed by 32 bytes, and the key ID must be the one the name and key give.
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const fail = (why: string): never => {
    throw new ProofFormatError('E_VERIFIER_KEY', `not a verifier key: ${why}`);
  };
  if (typeof vkey !== 'string') fail('not text');
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (first < 0 || second < 0) fail('expected <name>+<key id>+<key>');
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  const material64 = vkey.slice(second + 1);
  if (!isValidKeyName(name)) fail('invalid key name');
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) fail('the key ID must be 8 hex digits');
  let material: Uint8Array = new Uint8Array();
  try {
    material = decodeBase64(material64, 'key material');
  } catch {
    fail('the key is not canonical base64');
  }
  if (material[0] !== NOTE_SIGNATURE_TYPE_ED25519) fail('only Ed25519 keys (type 0x01) are supported');
  if (material.length !== 1 + ED25519_PUBLIC_KEY_LENGTH) fail('an Ed25519 key is 32 bytes');
  const publicKey = material.slice(1);
  if (Number.parseInt(idHex, 16) !== noteKeyId(name, publicKey)) fail('the key ID does not match the name and key');
  return createNoteVerifier(name, publicKey);
}
