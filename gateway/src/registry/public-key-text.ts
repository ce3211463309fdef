/**
 * Device public keys as operators type them: base64 (RFC 4648 section 4) or base64url (section 5) of the 32
 * raw bytes, padding optional. Decoding is strict: Node's decoder silently skips characters it does not
 * know, so the text is checked against the alphabet first and the length of the result is checked after.
 */
import { RegistryError } from './registry-error.js';

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43}=?)$/;

export function decodePublicKeyText(text: string): Uint8Array {
  const trimmed = text.trim();
  if (!BASE64_PATTERN.test(trimmed)) {
    throw new RegistryError('E_REGISTRY_INVALID', 'a public key is the base64 of 32 bytes (43 characters and an optional "=")', {
      details: { field: 'public_key' },
    });
  }
  const bytes = new Uint8Array(Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  if (bytes.length !== 32) {
    throw new RegistryError('E_REGISTRY_INVALID', 'a public key is the base64 of 32 bytes', { details: { field: 'public_key' } });
  }
  return bytes;
}

export function encodePublicKeyText(publicKey: Uint8Array): string {
  return Buffer.from(publicKey).toString('base64');
}
