import { ed25519Sign, type Ed25519Signer } from '../crypto/ed25519-keys.js';
import { assertDeviceId } from '../identity/device-id.js';
import { coseSigStructure } from './cose-sig-structure.js';
import { COSE_PROTECTED_HEADER_EDDSA } from './cose-sign1.js';
import { encodeCoseSign1 } from './encode-cose-sign1.js';

export interface SignCoseSign1Parameters {
  /** The device id, written as the kid. */
  readonly kid: string;
  /** The payload bytes (a CBOR map, spec section 2), signed and carried as they are. */
  readonly payload: Uint8Array;
  /** The 32-byte Ed25519 seed, or a signer built once with `createEd25519Signer` (faster for many messages). */
  readonly secretKey: Uint8Array | Ed25519Signer;
}

/**
 * Signs and encodes a COSE_Sign1 (RFC 9052 section 4.4): Ed25519 over the Sig_structure of the fixed protected
 * header and the payload. Ed25519 is deterministic (RFC 8032 section 5.1.6), so the same inputs give the same
 * bytes in any correct implementation; the vectors in `vectors/cose-sign1.json` rely on it.
 */
export function signCoseSign1(parameters: SignCoseSign1Parameters): Uint8Array {
  assertDeviceId(parameters.kid, 'kid');
  const toBeSigned = coseSigStructure(COSE_PROTECTED_HEADER_EDDSA, parameters.payload);
  const signature =
    parameters.secretKey instanceof Uint8Array
      ? ed25519Sign(toBeSigned, parameters.secretKey)
      : parameters.secretKey.sign(toBeSigned);
  return encodeCoseSign1({ kid: parameters.kid, payloadBytes: parameters.payload, signature });
}
