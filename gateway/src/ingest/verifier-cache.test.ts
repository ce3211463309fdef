import { describe, expect, it } from 'vitest';
import { ed25519PublicKey, ed25519Sign, generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import { VerifierCache } from './verifier-cache.js';

describe('VerifierCache', () => {
  const message = new TextEncoder().encode('Sig_structure bytes');

  it('verifies under exactly the key given, also for keys that share their first bytes', () => {
    const cache = new VerifierCache();
    const keys = generateEd25519KeyPair();
    const signature = ed25519Sign(message, keys.secretKey);
    expect(cache.verify(keys.publicKey, message, signature)).toBe(true);
    // Same first six bytes (the map key), another key: never the cached verifier of the first.
    const sibling = Uint8Array.from(keys.publicKey);
    sibling[31] = (sibling[31] ?? 0) ^ 0x01;
    expect(cache.verify(sibling, message, signature)).toBe(false);
    expect(cache.verify(keys.publicKey, message, signature)).toBe(true);
    expect(cache.verify(keys.publicKey, message, Uint8Array.from(signature).fill(0, 0, 1))).toBe(false);
  });

  it('answers false for unusable keys (wrong length, not a point) without throwing', () => {
    const cache = new VerifierCache();
    const keys = generateEd25519KeyPair();
    const signature = ed25519Sign(message, keys.secretKey);
    expect(cache.verify(keys.publicKey.subarray(0, 31), message, signature)).toBe(false);
    expect(cache.verify(new Uint8Array(32).fill(0xff), message, signature)).toBe(false);
    expect(cache.verify(new Uint8Array(0), message, signature)).toBe(false);
  });

  it('stays within its capacity and still verifies keys it dropped (rebuilt)', () => {
    const cache = new VerifierCache(2);
    const pairs = Array.from({ length: 4 }, () => generateEd25519KeyPair());
    for (let round = 0; round < 2; round += 1) {
      for (const pair of pairs) expect(cache.verify(ed25519PublicKey(pair.secretKey), message, ed25519Sign(message, pair.secretKey))).toBe(true);
    }
    expect((cache as unknown as { verifiers: Map<number, unknown> }).verifiers.size).toBeLessThanOrEqual(2);
  });
});
