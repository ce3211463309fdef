import { createEd25519Verifier, decodeDeviceMessage, isProtocolError } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { DeviceSigner } from '../device/device-message.js';
import { createFleet } from '../fleet/fleet.js';
import { createRandom } from '../random/random.js';
import {
  conflictingMessage,
  corruptInTransit,
  DEFAULT_OVERSIZE_BYTES,
  oversizeMessage,
  signWithWrongKey,
  skewedTime,
  truncateMessage,
} from './fault-messages.js';

const [device] = createFleet({ size: 1, seed: 21 }).devices;
const signer = new DeviceSigner(device!.id, device!.secretKey);
const verifier = createEd25519Verifier(device!.publicKey);
const T = Date.UTC(2026, 4, 1, 12);
const valid = signer.message(7, { t: T, type: 'heart_rate', data: { bpm: 71 } });

function codeOf(bytes: Uint8Array, maxBytes?: number): string {
  try {
    decodeDeviceMessage(bytes, maxBytes === undefined ? { verifier } : { verifier, maxBytes });
    return 'valid';
  } catch (error) {
    if (isProtocolError(error)) return error.code;
    throw error;
  }
}

describe('fault messages', () => {
  it('start from a valid message', () => {
    expect(codeOf(valid)).toBe('valid');
  });

  it('corrupted bytes keep the structure, kid, dev and seq, and fail only the signature', () => {
    const corrupted = corruptInTransit(valid);
    expect(corrupted.length).toBe(valid.length);
    expect(corrupted).not.toEqual(valid);
    expect(codeOf(corrupted)).toBe('E_COSE_SIGNATURE');
    const unchecked = decodeDeviceMessage(corrupted);
    expect(unchecked.payload).toMatchObject({ dev: device!.id, seq: 7 });
    expect(Math.abs(unchecked.payload.t - T)).toBe(1);
  });

  it('a bad signature is a well-formed message signed by another key', () => {
    const payload = decodeDeviceMessage(valid).cose.payloadBytes;
    const forged = signWithWrongKey(payload, device!.id, createRandom(1));
    expect(codeOf(forged)).toBe('E_COSE_SIGNATURE');
  });

  it('a conflicting message has the same seq, other bytes, and a valid signature', () => {
    const conflict = conflictingMessage(valid, signer);
    expect(codeOf(conflict)).toBe('valid');
    expect(decodeDeviceMessage(conflict).payload.seq).toBe(7);
    expect(conflict).not.toEqual(valid);
  });

  it('an oversize message is validly signed but beyond every default limit (96 KiB)', () => {
    const big = oversizeMessage(signer, 8, T, DEFAULT_OVERSIZE_BYTES);
    expect(big.length).toBeGreaterThan(DEFAULT_OVERSIZE_BYTES);
    expect(codeOf(big)).toBe('E_CBOR_TOO_LARGE');
    expect(codeOf(big, big.length)).toBe('valid');
  });

  it('malformed CBOR is a truncated message', () => {
    expect(codeOf(truncateMessage(valid))).toMatch(/^E_CBOR_/);
  });

  it('clock skew is 2 to 12 hours either way', () => {
    const random = createRandom(2);
    const offsets = Array.from({ length: 200 }, () => skewedTime(T, random) - T);
    for (const offset of offsets) expect(Math.abs(offset) / 3_600_000).toBeGreaterThanOrEqual(2);
    for (const offset of offsets) expect(Math.abs(offset) / 3_600_000).toBeLessThanOrEqual(12);
    expect(offsets.some((o) => o < 0) && offsets.some((o) => o > 0)).toBe(true);
  });
});
