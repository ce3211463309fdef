import { coseSigStructure, ed25519PublicKey, ed25519Sign, encodeCbor } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { createInlineSignatureVerifier } from './inline-signature-verifier.js';
import type { VerifyRequest } from './signature-verifier.js';
import { decodeVerifyBatch, encodeVerifyBatch } from './verify-batch-codec.js';
import { WorkerVerifyPool } from './worker-verify-pool.js';

function requests(count: number): { request: VerifyRequest; valid: boolean }[] {
  return Array.from({ length: count }, (_, i) => {
    const seed = Uint8Array.from({ length: 32 }, (_, j) => (i * 7 + j) % 256);
    const message = coseSigStructure(Uint8Array.from([0xa1, 0x01, 0x27]), encodeCbor({ seq: i }));
    const signature = ed25519Sign(message, seed);
    const valid = i % 3 !== 0;
    if (!valid) signature[5] = (signature[5] ?? 0) ^ 1;
    return { request: { publicKey: ed25519PublicKey(seed), message, signature }, valid };
  });
}

describe('verify batch codec', () => {
  it('round-trips a batch', () => {
    const batch = requests(5).map((r) => r.request);
    const decoded = decodeVerifyBatch(encodeVerifyBatch(batch));
    expect(decoded.map((r) => [r.publicKey, r.message, r.signature])).toEqual(batch.map((r) => [r.publicKey, r.message, r.signature]));
  });
});

describe('signature verifiers', () => {
  it('the inline verifier tells valid from invalid signatures', async () => {
    const verifier = createInlineSignatureVerifier();
    const cases = requests(12);
    expect(await Promise.all(cases.map((c) => verifier.verify(c.request)))).toEqual(cases.map((c) => c.valid));
  });

  // Worker threads run the built code (dist/): `npx tsc -b` first.
  it('the worker pool gives the same answers across workers and batches', async () => {
    const pool = await WorkerVerifyPool.start({ workers: 2, maxBatch: 7 });
    try {
      const cases = requests(100);
      expect(await Promise.all(cases.map((c) => pool.verify(c.request)))).toEqual(cases.map((c) => c.valid));
    } finally {
      await pool.close();
    }
  });
});
