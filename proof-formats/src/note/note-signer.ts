import { ed25519PrivateKeyFromSeed, ed25519Sign } from '../crypto/ed25519.js';
import { concatBytes } from '../encoding/bytes.js';
import { decodeBase64, encodeBase64 } from '../encoding/canonical-base64.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { isValidKeyName } from './key-name.js';
import { NOTE_SIGNATURE_TYPE_ED25519, formatKeyId, noteKeyId } from './note-key-id.js';
import { formatVerifierKey } from './note-verifier.js';

/**
 * Something that signs note text under a key name: the gateway's checkpoint key, or a test key. An HSM or
 * KMS adapter implements the same interface.
 */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** The verifier key a sponsor pins (`trialgate keys show`). */
  readonly verifierKey: string;
  /** Ed25519 signature (64 bytes) over the UTF-8 note text. */
  sign(message: Uint8Array): Uint8Array;
}

/** A signer from an Ed25519 secret key: the 32-byte RFC 8032 seed. */
export function createNoteSigner(name: string, secretKey: Uint8Array): NoteSigner {
  if (!isValidKeyName(name)) {
    throw new ProofFormatError('E_NOTE_KEY_NAME', 'a key name must be non-empty, without spaces or "+"', {
      details: { name },
    });
  }
  const key = ed25519PrivateKeyFromSeed(secretKey);
  return {
    name,
    keyId: noteKeyId(name, key.publicKey),
    publicKey: key.publicKey,
    verifierKey: formatVerifierKey(name, key.publicKey),
    sign: (message) => ed25519Sign(key, message),
  };
}

/**
 * The signer key string of golang.org/x/mod/sumdb/note: `PRIVATE+KEY+<name>+<8 hex>+<base64(0x01 || seed)>`.
 * A secret: never logged, stored with mode 0600.
 */
export function formatSignerKey(name: string, secretKey: Uint8Array): string {
  const signer = createNoteSigner(name, secretKey);
  const material = concatBytes(Uint8Array.of(NOTE_SIGNATURE_TYPE_ED25519), secretKey);
  return `PRIVATE+KEY+${name}+${formatKeyId(signer.keyId)}+${encodeBase64(material)}`;
}

/** Parses a signer key string (see `formatSignerKey`) and checks its key ID. */
export function parseSignerKey(skey: string): NoteSigner {
  const fail = (why: string): never => {
    throw new ProofFormatError('E_SIGNER_KEY', `not a signer key: ${why}`);
  };
  const prefix = 'PRIVATE+KEY+';
  if (typeof skey !== 'string' || !skey.startsWith(prefix)) fail('expected PRIVATE+KEY+<name>+<key id>+<key>');
  const rest = skey.slice(prefix.length);
  const first = rest.indexOf('+');
  const second = first < 0 ? -1 : rest.indexOf('+', first + 1);
  if (first < 0 || second < 0) fail('expected PRIVATE+KEY+<name>+<key id>+<key>');
  const name = rest.slice(0, first);
  const idHex = rest.slice(first + 1, second);
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) fail('the key ID must be 8 hex digits');
  let material: Uint8Array = new Uint8Array();
  try {
    material = decodeBase64(rest.slice(second + 1), 'key material');
  } catch {
    fail('the key is not canonical base64');
  }
  if (material[0] !== NOTE_SIGNATURE_TYPE_ED25519 || material.length !== 33) fail('expected an Ed25519 seed');
  const signer = createNoteSigner(name, material.slice(1));
  if (Number.parseInt(idHex, 16) !== signer.keyId) fail('the key ID does not match the name and key');
  return signer;
}
