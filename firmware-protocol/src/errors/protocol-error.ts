import { TrialgateError, type TrialgateErrorOptions } from './trialgate-error.js';

/**
 * Every code the device protocol can raise. Codes are stable: device makers' harnesses, the gateway's
 * quarantine and `trialgate inspect` match on them, so a code is never reworded or reused once published
 * (docs/firmware-protocol.md lists each with its meaning).
 */
export type ProtocolErrorCode =
  // Strict CBOR (RFC 8949), src/cbor/
  | 'E_CBOR_INPUT'
  | 'E_CBOR_TOO_LARGE'
  | 'E_CBOR_TRUNCATED'
  | 'E_CBOR_TRAILING_BYTES'
  | 'E_CBOR_INDEFINITE_LENGTH'
  | 'E_CBOR_UNEXPECTED_BREAK'
  | 'E_CBOR_RESERVED_INFO'
  | 'E_CBOR_INVALID_SIMPLE'
  | 'E_CBOR_INVALID_UTF8'
  | 'E_CBOR_DUPLICATE_KEY'
  | 'E_CBOR_MAP_KEY_TYPE'
  | 'E_CBOR_TOO_DEEP'
  | 'E_CBOR_UNENCODABLE'
  // Ed25519 keys and signatures, src/crypto/
  | 'E_KEY_INVALID'
  // COSE_Sign1 (RFC 9052 section 4.2; spec section 2), src/cose/
  | 'E_COSE_STRUCTURE'
  | 'E_COSE_TAG'
  | 'E_COSE_PROTECTED_HEADER'
  | 'E_COSE_KID'
  | 'E_COSE_SIGNATURE_LENGTH'
  | 'E_COSE_SIGNATURE'
  // Device payloads (spec section 2 tables), src/payload/
  | 'E_PAYLOAD_SCHEMA'
  | 'E_PAYLOAD_VERSION'
  | 'E_KID_MISMATCH'
  | 'E_DEVICE_ID'
  // Connect tokens (spec section 3), src/token/
  | 'E_TOKEN_SCHEMA'
  // Serial framing (spec section 3), src/serial/
  | 'E_COBS'
  | 'E_FRAME_CRC'
  | 'E_FRAME_TOO_SHORT'
  | 'E_FRAME_TOO_LARGE'
  | 'E_FRAME_INCOMPLETE'
  // BLE characteristics (GATT Specification Supplement; IEEE 11073-20601), src/gatt/
  | 'E_GATT_UNKNOWN_UUID'
  | 'E_GATT_TRUNCATED'
  | 'E_GATT_TRAILING_BYTES'
  | 'E_GATT_INVALID';

/** The error class of this package: a `TrialgateError` whose `code` is one of `ProtocolErrorCode`. */
export class ProtocolError extends TrialgateError<ProtocolErrorCode> {
  override readonly name: string = 'ProtocolError';

  constructor(code: ProtocolErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}
