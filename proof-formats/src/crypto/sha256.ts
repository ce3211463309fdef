import { createHash } from 'node:crypto';

/** SHA-256 (FIPS 180-4) of the concatenation of `parts`, without copying them together first. */
export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  const digest = hash.digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}
