import {
  decodeCoseSign1,
  decodeDevicePayload,
  encodeCoseSign1,
  encodeDevicePayload,
  generateEd25519KeyPair,
  signCoseSign1,
  type DevicePayload,
} from '@trialgate/firmware-protocol';
import type { DeviceSigner } from '../device/device-message.js';
import { seededRandomBytes } from '../identity/device-identity.js';
import type { Reading } from '../models/reading.js';
import { integerBetween, type Random } from '../random/random.js';
import { MS_PER_HOUR } from '../time/local-time.js';

/**
 * Builders of the bytes of each message fault. Pure functions of their inputs (and a seeded `Random`), so the
 * unit tests pin down exactly what the gateway will be sent.
 */

/**
 * Default size of an oversize message, 96 KiB: beyond every limit in the project (firmware-protocol's 4 KiB
 * default, the gateway's `maxMessageBytes` default of 16 KiB, its 64 KiB storage bound for one entry), so
 * that it is refused whatever the gateway is configured to. The spec fixes no limit.
 */
export const DEFAULT_OVERSIZE_BYTES = 96 * 1024;

/**
 * A correctly signed message damaged in transit: one bit of the `t` value flipped inside the payload. The
 * result is still well-formed CBOR and a well-formed COSE_Sign1 with the same kid, `dev` and `seq`, so the
 * only check it fails is the signature (a flip elsewhere could hit `dev` and look like impersonation).
 */
export function corruptInTransit(bytes: Uint8Array): Uint8Array {
  const cose = decodeCoseSign1(bytes);
  const payload = Uint8Array.from(cose.payloadBytes);
  // "t" (0x61 0x74) followed by an 8-byte unsigned integer head (0x1b): flip the lowest bit of its last byte.
  let flipped = false;
  for (let i = 0; i + 11 < payload.length; i++) {
    if (payload[i] === 0x61 && payload[i + 1] === 0x74 && payload[i + 2] === 0x1b) {
      payload[i + 10] = (payload[i + 10] ?? 0) ^ 0x01;
      flipped = true;
      break;
    }
  }
  const signature = Uint8Array.from(cose.signature);
  // A `t` below 2^32 ms (before 1970-02-19) has a shorter head; damage the signature instead.
  if (!flipped) signature[0] = (signature[0] ?? 0) ^ 0x01;
  return encodeCoseSign1({ kid: cose.kid, payloadBytes: payload, signature });
}

/** A well-formed message in the device's name, signed with some other key (a device flashed with the wrong key). */
export function signWithWrongKey(payload: Uint8Array, kid: string, random: Random): Uint8Array {
  const wrong = generateEd25519KeyPair(seededRandomBytes(random));
  return signCoseSign1({ kid, payload, secretKey: wrong.secretKey });
}

/** A correctly signed message of the same `seq` as `original` but other content (`t` one second later). */
export function conflictingMessage(original: Uint8Array, signer: DeviceSigner): Uint8Array {
  const cose = decodeCoseSign1(original);
  const { payload } = decodeDevicePayload(cose.payloadBytes);
  const changed = { ...payload, t: payload.t + 1_000 } as DevicePayload;
  return signer.signPayload(encodeDevicePayload(changed));
}

/** A correctly signed `device_status` whose `note` makes the message at least `sizeBytes` long. */
export function oversizeMessage(signer: DeviceSigner, seq: number, t: number, sizeBytes: number): Uint8Array {
  const note = 'x'.repeat(Math.max(0, sizeBytes));
  const reading: Reading = { t, type: 'device_status', data: { note } };
  return signer.message(seq, reading);
}

/** Not well-formed CBOR: a valid message cut in half (the decoder reports truncation). */
export function truncateMessage(bytes: Uint8Array): Uint8Array {
  return bytes.slice(0, Math.max(1, Math.floor(bytes.length / 2)));
}

/** A device clock set 2-12 hours wrong, either way. */
export function skewedTime(nowMs: number, random: Random): number {
  const hours = integerBetween(random, 2, 12);
  return nowMs + (random.next() < 0.5 ? -1 : 1) * hours * MS_PER_HOUR;
}
