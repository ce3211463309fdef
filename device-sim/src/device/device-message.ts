import {
  createConnectToken,
  createDeviceMessage,
  createEd25519Signer,
  encodeDevicePayload as encodePayload,
  signCoseSign1,
  PAYLOAD_VERSION,
  type DevicePayload,
  type Ed25519Signer,
} from '@trialgate/firmware-protocol';
import type { Reading } from '../models/reading.js';

/** The payload (spec section 2) of a reading as device `deviceId` numbers it. */
export function devicePayload(deviceId: string, seq: number, reading: Reading): DevicePayload {
  // A Reading's data is the spec's data table by construction (models/); the encoder checks it again.
  return { v: PAYLOAD_VERSION, dev: deviceId, seq, t: reading.t, type: reading.type, data: reading.data } as DevicePayload;
}

/**
 * The payload bytes, encoded by firmware-protocol as a C firmware would (keys in the spec's order, float
 * fields always CBOR floats) and checked against the schema there.
 */
export function encodeDevicePayload(deviceId: string, seq: number, reading: Reading): Uint8Array {
  return encodePayload(devicePayload(deviceId, seq, reading));
}

/** Signs a device's messages and connect tokens with its key (the node:crypto key object is built once). */
export class DeviceSigner {
  readonly deviceId: string;
  private readonly signer: Ed25519Signer;

  constructor(deviceId: string, secretKey: Uint8Array) {
    this.deviceId = deviceId;
    this.signer = createEd25519Signer(secretKey);
  }

  /** A COSE_Sign1 device message (spec section 2). */
  message(seq: number, reading: Reading): Uint8Array {
    return createDeviceMessage({ payload: devicePayload(this.deviceId, seq, reading), secretKey: this.signer });
  }

  /** Signs arbitrary payload bytes with this device's key (fault injection builds odd payloads). */
  signPayload(payload: Uint8Array, kid: string = this.deviceId): Uint8Array {
    return signCoseSign1({ kid, payload, secretKey: this.signer });
  }

  /** A connect token (spec section 3), used once as the MQTT password. */
  connectToken(issuedAtMs: number): Uint8Array {
    return createConnectToken({ deviceId: this.deviceId, secretKey: this.signer, issuedAtMs });
  }
}
