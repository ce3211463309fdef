import type { Ed25519Verifier } from '../crypto/ed25519-verifier.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { coseSigStructure } from './cose-sig-structure.js';
import type { CoseSign1 } from './cose-sign1.js';

/**
 * True when `cose.signature` is a valid Ed25519 signature, under the verifier's key, of the Sig_structure
 * built from the protected bytes and payload exactly as received (RFC 9052 section 4.4). Never throws for a
 * bad signature: a boolean, so that callers decide what a failure means (the gateway quarantines).
 */
export function verifyCoseSign1(cose: CoseSign1, verifier: Ed25519Verifier): boolean {
  return verifier.verify(coseSigStructure(cose.protectedBytes, cose.payloadBytes), cose.signature);
}

/** The throwing variant of `verifyCoseSign1`: `E_COSE_SIGNATURE` when the signature does not verify. */
export function assertCoseSign1Signature(cose: CoseSign1, verifier: Ed25519Verifier): void {
  if (!verifyCoseSign1(cose, verifier)) {
    throw new ProtocolError('E_COSE_SIGNATURE', `the signature does not verify under the public key of device ${cose.kid}`, {
      details: { kid: cose.kid },
    });
  }
}
