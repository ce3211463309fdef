/**
 * Every decoder of bytes read back from disk (attacker-controlled: a damaged or altered file) gets arbitrary
 * and mutated input: it never crashes, hangs or throws anything but our typed errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import { decodeCheckpointRecord } from '../checkpoints/checkpoint-store.js';
import { decodeQuarantineRecord, encodeQuarantineRecord } from './quarantine-record-codec.js';
import { frameRecord, scanRecord } from './record-framing.js';
import { coseSeqClaimOf } from './seq-claim-of-entry.js';
import { signedReading } from './testing/test-messages.js';

function mutate(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })
    .map((flips) => {
      const copy = Uint8Array.from(bytes);
      for (const [position, value] of flips) copy[position % copy.length] = value;
      return copy;
    });
}

function onlyTyped(body: () => unknown): void {
  try {
    body();
  } catch (error) {
    expect(isTrialgateError(error), String(error)).toBe(true);
  }
}

describe('record framing', () => {
  it('round-trips any payload and finds it whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), (payload) => {
        const framed = frameRecord(payload);
        const scan = scanRecord(framed, 0);
        expect(scan).toEqual({ kind: 'record', payloadStart: 4, length: payload.length, end: framed.length });
      }),
    );
  });

  it('never takes a cut or altered record for a whole one', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 500 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (payload, cut, position, xor) => {
          const framed = frameRecord(payload);
          const truncated = framed.subarray(0, cut % framed.length);
          expect(scanRecord(truncated, 0).kind).not.toBe('record');
          const altered = Uint8Array.from(framed);
          const at = position % altered.length;
          altered[at] = (altered[at] ?? 0) ^ xor;
          const scan = scanRecord(altered, 0);
          // A changed length may frame a shorter record only if its CRC happens to match: CRC-32 makes that 2^-32.
          expect(scan.kind === 'record' && scan.length === payload.length).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('answers anything for arbitrary bytes at any offset, without throwing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 310 }), (bytes, offset) => {
        expect(['record', 'incomplete', 'invalid']).toContain(scanRecord(bytes, offset).kind);
      }),
    );
  });
});

describe('quarantine and checkpoint records', () => {
  const quarantine = encodeQuarantineRecord({
    id: 7,
    receivedAtMs: 1,
    transport: 'mqtt',
    claimedDeviceId: 'dev-1',
    source: 'tg/v1/dev/dev-1/up',
    reason: 'E_COSE_SIGNATURE',
    message: 'bad signature',
    details: { kid: 'dev-1', bytes: new Uint8Array([1, 2]) },
    original: new Uint8Array([9, 8, 7]),
  });
  const checkpoint = Buffer.from(JSON.stringify({ treeSize: 3, rootHash: Buffer.alloc(32, 1).toString('base64'), signedAtMs: 5, note: 'n' }));

  it('decode their own encoding', () => {
    expect(decodeQuarantineRecord(quarantine)).toMatchObject({ id: 7, reason: 'E_COSE_SIGNATURE', original: new Uint8Array([9, 8, 7]) });
    expect(decodeCheckpointRecord(checkpoint)).toMatchObject({ treeSize: 3, note: 'n' });
  });

  it('throw only typed errors on arbitrary and mutated bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), mutate(quarantine), mutate(checkpoint), fc.json().map((j) => Buffer.from(j))), (bytes) => {
        onlyTyped(() => decodeQuarantineRecord(bytes));
        onlyTyped(() => decodeCheckpointRecord(bytes));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('coseSeqClaimOf', () => {
  const reading = signedReading('wearable-9', 42);

  it('reads the claim of a real message', () => {
    expect(
      coseSeqClaimOf({ receivedAtMs: 1, transport: 'mqtt', deviceId: 'wearable-9', contentType: 'cose-sign1', original: reading }),
    ).toEqual({ deviceId: 'wearable-9', seq: 42 });
  });

  it('never throws on arbitrary or mutated originals: a claim or null', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutate(reading)), (original) => {
        const claim = coseSeqClaimOf({ receivedAtMs: 1, transport: 'mqtt', deviceId: 'wearable-9', contentType: 'cose-sign1', original });
        if (claim !== null) {
          expect(claim.deviceId).toBe('wearable-9');
          expect(Number.isSafeInteger(claim.seq)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
