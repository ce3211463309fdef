/**
 * A decoded COSE_Sign1 device message (RFC 9052 section 4.2; spec section 2), structure only: nothing here
 * says the signature is valid. Every byte string is a copy of what was received, never re-encoded: the
 * signature is checked over `protectedBytes` exactly as they arrived (RFC 9052 section 4.4).
 */
export interface CoseSign1 {
  /** The contents of the protected-header bstr; always `a1 01 27` (`{1: -8}`, alg EdDSA) once decoded. */
  readonly protectedBytes: Uint8Array;
  /** The device id from unprotected header label 4 (kid), decoded from its UTF-8 bytes. */
  readonly kid: string;
  /** The payload bstr's contents: a CBOR map (spec section 2), not decoded here. */
  readonly payloadBytes: Uint8Array;
  /** The 64-byte Ed25519 signature. */
  readonly signature: Uint8Array;
}

/** RFC 9052 section 4.2: the CBOR tag of COSE_Sign1. */
export const COSE_SIGN1_TAG = 18;
/** RFC 9052 section 3.1: header label `alg`, and `kid`. */
export const COSE_HEADER_ALG = 1;
export const COSE_HEADER_KID = 4;
/** RFC 9053 section 2.2: EdDSA. */
export const COSE_ALG_EDDSA = -8;
/** Spec section 2: the protected header is exactly the map `{1: -8}`, i.e. these three bytes. */
export const COSE_PROTECTED_HEADER_EDDSA: Uint8Array = Uint8Array.from([0xa1, 0x01, 0x27]);
/** Default size limit of a device message and of a connect token (issue 2: 4 KiB, configurable). */
export const DEVICE_MESSAGE_DEFAULT_MAX_BYTES = 4096;
