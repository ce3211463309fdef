/**
 * Ed25519 verifiers kept per public key: building node:crypto's KeyObject costs about 40 % of a
 * verification (issue 3), so it is built once per key. Keyed by the key bytes, not the device id, so a
 * rotated key simply becomes a new entry and the old one ages out; no invalidation message is needed.
 * Bounded (first in, first out) so a fleet larger than the bound costs rebuilds, not memory.
 *
 * Looked up for every message on the check workers, so without allocating: the map's key is a number made
 * of the key's first six bytes, and the entry's full 32 bytes are compared before its verifier is used (a
 * different key with the same first bytes, which no honest enrolment produces, only replaces the entry).
 */
import { createEd25519Verifier, type Ed25519Verifier } from '@trialgate/firmware-protocol';

export const DEFAULT_VERIFIER_CACHE_SIZE = 10_000;

interface CachedVerifier {
  readonly publicKey: Uint8Array;
  /** Null for a key that is not a usable Ed25519 key: every signature fails under it. */
  readonly verifier: Ed25519Verifier | null;
}

export class VerifierCache {
  private readonly verifiers = new Map<number, CachedVerifier>();

  constructor(private readonly capacity = DEFAULT_VERIFIER_CACHE_SIZE) {}

  /** True when `signature` verifies under `publicKey`; false also for an unusable key. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const verifier = this.verifierFor(publicKey);
    return verifier !== null && verifier.verify(message, signature);
  }

  private verifierFor(publicKey: Uint8Array): Ed25519Verifier | null {
    const id = keyId(publicKey);
    const cached = this.verifiers.get(id);
    if (cached !== undefined && sameBytes(cached.publicKey, publicKey)) return cached.verifier;
    let verifier: Ed25519Verifier | null;
    try {
      verifier = createEd25519Verifier(publicKey);
    } catch {
      verifier = null;
    }
    if (cached !== undefined) this.verifiers.delete(id);
    this.verifiers.set(id, { publicKey: Uint8Array.from(publicKey), verifier });
    if (this.verifiers.size > this.capacity) {
      const oldest = this.verifiers.keys().next();
      if (oldest.done !== true) this.verifiers.delete(oldest.value);
    }
    return verifier;
  }
}

/** The first six bytes as a number (below 2^48: exact); shorter keys (unusable anyway) fill with zeros. */
function keyId(key: Uint8Array): number {
  return (
    ((key[0] ?? 0) * 0x100_0000 + (((key[1] ?? 0) << 16) | ((key[2] ?? 0) << 8) | (key[3] ?? 0))) * 0x1_0000 +
    (((key[4] ?? 0) << 8) | (key[5] ?? 0))
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
