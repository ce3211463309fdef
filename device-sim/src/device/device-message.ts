import {
  CborFloat,
  createEd25519Signer,
  encodeCbor,
  signCoseSign1,
  type CborEncodable,
  type Ed25519Signer,
} from '@trialgate/firmware-protocol';
import { FLOAT_FIELDS, type Reading } from '../models/reading.js';

/** Payload version (spec section 2, `v`). */
export const PAYLOAD_VERSION = 1;

/**
 * The payload map of spec section 2, keys in the spec's order: `v`, `dev`, `seq`, `t`, `type`, `data`. Float
 * fields are forced to CBOR floats (`CborFloat`) so 97.0 % stays a float, as a C `double` would be written.
 */
export function encodeDevicePayload(deviceId: string, seq: number, reading: Reading): Uint8Array {
  const floats = new Set(FLOAT_FIELDS[reading.type] ?? []);
  const data: Record<string, CborEncodable> = {};
  for (const [key, value] of Object.entries(reading.data)) {
    data[key] = typeof value === 'number' && floats.has(key) ? new CborFloat(value) : value;
  }
  return encodeCbor({ v: PAYLOAD_VERSION, dev: deviceId, seq, t: reading.t, type: reading.type, data });
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
    return this.signPayload(encodeDevicePayload(this.deviceId, seq, reading));
  }

  /** Signs arbitrary payload bytes with this device's kid (fault injection builds odd payloads). */
  signPayload(payload: Uint8Array, kid: string = this.deviceId): Uint8Array {
    return signCoseSign1({ kid, payload, secretKey: this.signer });
  }

  /**
   * A connect token (spec section 3): a COSE_Sign1 over `{"v": 1, "dev", "purpose": "connect", "iat"}`, used
   * once as the MQTT password.
   */
  connectToken(issuedAtMs: number): Uint8Array {
    return this.signPayload(encodeCbor({ v: 1, dev: this.deviceId, purpose: 'connect', iat: issuedAtMs }));
  }
}
