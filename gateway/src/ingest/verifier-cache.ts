/**
 * Ed25519 verifiers kept per public key: building node:crypto's KeyObject costs about 40 % of a
 * verification (issue 3), so it is built once per key. Keyed by the key bytes, not the device id, so a
 * rotated key simply becomes a new entry and the old one ages out; no invalidation message is needed.
 * Bounded (least recently used first out) so a fleet larger than the bound costs rebuilds, not memory.
 */
import { createEd25519Verifier, type Ed25519Verifier } from '@trialgate/firmware-protocol';

export const DEFAULT_VERIFIER_CACHE_SIZE = 10_000;

export class VerifierCache {
  private readonly verifiers = new Map<string, Ed25519Verifier | null>();

  constructor(private readonly capacity = DEFAULT_VERIFIER_CACHE_SIZE) {}

  /** True when `signature` verifies under `publicKey`; false also for an unusable key. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const verifier = this.verifierFor(publicKey);
    return verifier !== null && verifier.verify(message, signature);
  }

  private verifierFor(publicKey: Uint8Array): Ed25519Verifier | null {
    const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('latin1');
    const cached = this.verifiers.get(id);
    if (cached !== undefined) {
      // Map keeps insertion order: re-inserting marks the key most recently used.
      this.verifiers.delete(id);
      this.verifiers.set(id, cached);
      return cached;
    }
    let verifier: Ed25519Verifier | null;
    try {
      verifier = createEd25519Verifier(publicKey);
    } catch {
      verifier = null;
    }
    this.verifiers.set(id, verifier);
    if (this.verifiers.size > this.capacity) {
      const oldest = this.verifiers.keys().next();
      if (oldest.done !== true) this.verifiers.delete(oldest.value);
    }
    return verifier;
  }
}
