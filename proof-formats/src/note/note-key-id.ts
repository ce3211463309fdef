import { sha256 } from '../crypto/sha256.js';
import { utf8 } from '../encoding/bytes.js';

/** Signature type byte of Ed25519 note signatures (C2SP signed-note, "Signature types"). */
export const NOTE_SIGNATURE_TYPE_ED25519 = 0x01;

/**
 * key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4], read big-endian
 * (C2SP signed-note, "Ed25519 signatures"; spec section 5).
 */
export function noteKeyId(name: string, publicKey: Uint8Array): number {
  const digest = sha256(utf8(name), Uint8Array.of(0x0a, NOTE_SIGNATURE_TYPE_ED25519), publicKey);
  return (((digest[0] ?? 0) << 24) | ((digest[1] ?? 0) << 16) | ((digest[2] ?? 0) << 8) | (digest[3] ?? 0)) >>> 0;
}

/** The key ID as 8 lower-case hex digits, as it appears in verifier keys. */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

export function keyIdBytes(keyId: number): Uint8Array {
  return Uint8Array.of((keyId >>> 24) & 0xff, (keyId >>> 16) & 0xff, (keyId >>> 8) & 0xff, keyId & 0xff);
}
