import { decodeCoseSign1 } from '../cose/decode-cose-sign1.js';
import type { CoseSign1 } from '../cose/cose-sign1.js';
import { signCoseSign1 } from '../cose/sign-cose-sign1.js';
import { assertCoseSign1Signature } from '../cose/verify-cose-sign1.js';
import type { Ed25519Signer } from '../crypto/ed25519-keys.js';
import type { Ed25519Verifier } from '../crypto/ed25519-verifier.js';
import { ProtocolError, isProtocolError } from '../errors/protocol-error.js';
import type { DevicePayload } from './device-payload.js';
import { decodeDevicePayload } from './decode-device-payload.js';
import { encodeDevicePayload } from './encode-device-payload.js';
import type { PayloadFlag } from './payload-flag.js';

export interface DecodeDeviceMessageOptions {
  /** Limit of the whole message, E_CBOR_TOO_LARGE beyond it (default 4096 bytes). */
  readonly maxBytes?: number;
  /** When given, the signature is checked (E_COSE_SIGNATURE) before the payload is read. */
  readonly verifier?: Ed25519Verifier;
}

export interface DecodedDeviceMessage {
  readonly cose: CoseSign1;
  readonly payload: DevicePayload;
  readonly flags: readonly PayloadFlag[];
}

/**
 * Decodes a device message (spec section 2): COSE_Sign1 structure, then (with `verifier`) the signature, then
 * the payload and its schema, then `dev` = kid (E_KID_MISMATCH; spec section 2 "must equal the kid", and section
 * 7: acting as another device). Errors from the payload carry `details.in = 'payload'`, and their `offset`
 * counts from the start of the payload bytes.
 *
 * Attacker-controlled: `bytes` are exactly what a device sent. Registry lookups, replay (`seq`) and clock checks
 * are the gateway's, not this function's.
 */
export function decodeDeviceMessage(bytes: Uint8Array, options: DecodeDeviceMessageOptions = {}): DecodedDeviceMessage {
  const cose = decodeCoseSign1(bytes, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  if (options.verifier !== undefined) assertCoseSign1Signature(cose, options.verifier);
  let decoded;
  try {
    decoded = decodeDevicePayload(cose.payloadBytes, { maxBytes: cose.payloadBytes.length });
  } catch (error) {
    if (isProtocolError(error)) {
      throw new ProtocolError(error.code, `payload: ${error.message}`, { details: { ...error.details, in: 'payload' }, cause: error });
    }
    throw error;
  }
  if (decoded.payload.dev !== cose.kid) {
    throw new ProtocolError(
      'E_KID_MISMATCH',
      `payload dev ${JSON.stringify(decoded.payload.dev)} differs from the kid ${JSON.stringify(cose.kid)}: a device signs only as itself`,
      { details: { kid: cose.kid, dev: decoded.payload.dev, path: 'dev', in: 'payload' } },
    );
  }
  return { cose, payload: decoded.payload, flags: decoded.flags };
}

export interface CreateDeviceMessageParameters {
  readonly payload: DevicePayload;
  /** The device's 32-byte Ed25519 seed, or a signer built once with `createEd25519Signer`. */
  readonly secretKey: Uint8Array | Ed25519Signer;
}

/** Encodes the payload (`encodeDevicePayload`) and signs it as a COSE_Sign1 whose kid is `payload.dev`. */
export function createDeviceMessage(parameters: CreateDeviceMessageParameters): Uint8Array {
  const payload = encodeDevicePayload(parameters.payload);
  return signCoseSign1({ kid: parameters.payload.dev, payload, secretKey: parameters.secretKey });
}
