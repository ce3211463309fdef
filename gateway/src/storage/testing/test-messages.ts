/**
 * Real signed device messages (spec section 2) and log entries for storage tests: the seq index is re-derived
 * from them after a crash, so tests use the real format, not placeholder bytes.
 */
import { createEd25519Signer, encodeCbor, signCoseSign1, type Ed25519Signer } from '@trialgate/firmware-protocol';
import type { LogEntry } from '@trialgate/proof-formats';
import type { SeqClaim } from '../gateway-log.js';

const signers = new Map<string, Ed25519Signer>();

/** A deterministic test key per device id (never use outside tests). */
export function testDeviceSecret(deviceId: string): Uint8Array {
  const seed = new Uint8Array(32);
  const text = new TextEncoder().encode(deviceId);
  for (let i = 0; i < 32; i++) seed[i] = (text[i % text.length] ?? 0) ^ (i * 7 + 1);
  return seed;
}

export function signedReading(deviceId: string, seq: number, bpm = 70, t = 1_700_000_000_000 + seq * 1000): Uint8Array {
  let signer = signers.get(deviceId);
  if (signer === undefined) {
    signer = createEd25519Signer(testDeviceSecret(deviceId));
    signers.set(deviceId, signer);
  }
  const payload = encodeCbor({ v: 1, dev: deviceId, seq, t, type: 'heart_rate', data: { bpm } });
  return signCoseSign1({ kid: deviceId, payload, secretKey: signer });
}

export function readingEntry(
  deviceId: string,
  seq: number,
  options: { readonly bpm?: number; readonly receivedAtMs?: number } = {},
): { readonly entry: LogEntry; readonly claim: SeqClaim } {
  return {
    entry: {
      receivedAtMs: options.receivedAtMs ?? 1_700_000_000_000 + seq * 1000 + 5,
      transport: 'mqtt',
      deviceId,
      contentType: 'cose-sign1',
      original: signedReading(deviceId, seq, options.bpm ?? 70),
    },
    claim: { deviceId, seq },
  };
}
