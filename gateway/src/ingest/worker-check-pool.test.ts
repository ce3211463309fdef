import { COSE_PROTECTED_HEADER_EDDSA, createEd25519Signer, decodeCoseSign1, encodeCbor, encodeDevicePayload, ed25519PublicKey, signCoseSign1 } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { decodeCheckBatch, decodeCheckReply, encodeCheckBatch, encodeCheckReply } from './check-batch-codec.js';
import { createInlineMessageChecker } from './inline-message-checker.js';
import type { MessageCheckRequest, MessageCheckResult } from './message-check.js';
import { WorkerCheckPool } from './worker-check-pool.js';

/** Device messages of several kinds: valid, bad signature, dev naming another device, bad payload, token-like. */
function cases(count: number): MessageCheckRequest[] {
  return Array.from({ length: count }, (_, i) => {
    const seed = Uint8Array.from({ length: 32 }, (_, j) => (i * 7 + j) % 256);
    const signer = createEd25519Signer(seed);
    const id = `d-${i}`;
    const variant = i % 5;
    const payload =
      variant === 3
        ? encodeCbor({ v: 1, dev: id, seq: 0, t: 1, type: 'heart_rate', data: { bpm: 70 } })
        : encodeDevicePayload({ v: 1, dev: variant === 2 ? 'someone-else' : id, seq: i + 1, t: 1_750_000_000_000 + i, type: 'heart_rate', data: { bpm: variant === 4 ? 400 : 70 } });
    const cose = decodeCoseSign1(signCoseSign1({ kid: id, payload, secretKey: signer }));
    const signature = cose.signature.slice();
    if (variant === 1) signature[3] = (signature[3] ?? 0) ^ 1;
    return { kind: 'device-message', kid: id, publicKey: ed25519PublicKey(seed), protectedBytes: COSE_PROTECTED_HEADER_EDDSA, payloadBytes: cose.payloadBytes, signature };
  });
}

function summary(result: MessageCheckResult): string {
  return result.ok ? `ok:${result.seq}:${result.flags.map((f) => f.code).join(',')}` : `${result.reason}:${String(result.impersonation)}`;
}

describe('message checks', () => {
  it('tell valid messages from bad signatures, dev of another device and bad payloads, with flags', async () => {
    const checker = createInlineMessageChecker();
    const results = await Promise.all(cases(5).map((c) => checker.check(c)));
    expect(results.map(summary)).toEqual(['ok:1:', 'E_COSE_SIGNATURE:false', 'E_KID_MISMATCH:true', 'E_PAYLOAD_SCHEMA:false', 'ok:5:F_IMPLAUSIBLE_VALUE']);
  });

  it('batch codec round-trips requests and replies', () => {
    const batch = cases(7);
    const decoded = decodeCheckBatch(encodeCheckBatch(batch));
    expect(decoded.map((r) => [r.kind, r.kid, r.publicKey, r.protectedBytes, r.payloadBytes, r.signature])).toEqual(
      batch.map((r) => [r.kind, r.kid, r.publicKey, r.protectedBytes, r.payloadBytes, r.signature]),
    );
    const results: MessageCheckResult[] = [
      { ok: true, seq: 3, t: 9, flags: [] },
      { ok: false, reason: 'E_X', message: 'm', details: {}, seq: null, impersonation: false },
      { ok: true, seq: 4, t: 10, flags: [{ code: 'F_UNKNOWN_KEY', path: 'x', message: 'm' }] },
    ];
    expect(decodeCheckReply(encodeCheckReply(1, results), 3)).toEqual(results);
  });

  // Worker threads run the built code (dist/): `npx tsc -b` first.
  it('the worker pool gives the same answers as the inline checker, across workers and batches', async () => {
    const pool = await WorkerCheckPool.start({ workers: 2, maxBatch: 7 });
    const inline = createInlineMessageChecker();
    try {
      const all = cases(60);
      const viaPool = await Promise.all(all.map((c) => pool.check(c)));
      const viaInline = await Promise.all(all.map((c) => inline.check(c)));
      expect(viaPool.map(summary)).toEqual(viaInline.map(summary));
      expect(await pool.check({ ...all[0]!, kind: 'signature-only' })).toMatchObject({ ok: true, seq: 0 });
    } finally {
      await pool.close();
    }
  });
});
