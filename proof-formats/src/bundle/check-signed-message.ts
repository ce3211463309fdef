import {
  decodeCoseSign1,
  decodeDevicePayload,
  isTrialgateError,
  verifyCoseSign1,
  type Ed25519Verifier,
} from '@trialgate/firmware-protocol';

/** What `checkSignedMessage` found: the device's `seq`, or the failure as the report words it. */
export type SignedMessageOutcome =
  | { readonly ok: true; readonly seq: number }
  | { readonly ok: false; readonly code: string; readonly message: string };

function errorCode(error: unknown, fallback: string): string {
  return isTrialgateError(error) ? error.code : fallback;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The checks spec section 8 makes of one proven `cose-sign1` entry, in this order (the first failure is the
 * one reported): the logged message is a valid COSE_Sign1 (section 2), its kid is the entry's device id, its
 * signature verifies under one of the device's keys (several keys: key rotation), its payload is a valid
 * device payload, and the payload's `dev` is the kid. A pure function of its arguments, so that the calling
 * thread and the signature worker threads (signature-worker.ts) give the same answer, message for message.
 *
 * Attacker-controlled: `original` comes from a bundle (its inclusion is proven, its content is not).
 */
export function checkSignedMessage(original: Uint8Array, deviceId: string, verifiers: readonly Ed25519Verifier[]): SignedMessageOutcome {
  let cose;
  try {
    cose = decodeCoseSign1(original, { maxBytes: original.length });
  } catch (error) {
    return { ok: false, code: errorCode(error, 'E_COSE_STRUCTURE'), message: `the logged message is not a valid COSE_Sign1: ${errorMessage(error)}` };
  }
  if (cose.kid !== deviceId) {
    return { ok: false, code: 'E_KID_MISMATCH', message: `the message's kid ${JSON.stringify(cose.kid)} is not the entry's device ${deviceId}` };
  }
  if (!verifiers.some((verifier) => verifyCoseSign1(cose, verifier))) {
    return {
      ok: false,
      code: 'E_COSE_SIGNATURE',
      message: `the signature does not verify under ${verifiers.length === 1 ? 'the key' : `any of the ${verifiers.length} keys`} of device ${deviceId}`,
    };
  }
  let payload;
  try {
    payload = decodeDevicePayload(cose.payloadBytes, { maxBytes: cose.payloadBytes.length }).payload;
  } catch (error) {
    return { ok: false, code: errorCode(error, 'E_PAYLOAD_SCHEMA'), message: `the signed payload is not a valid device payload: ${errorMessage(error)}` };
  }
  if (payload.dev !== cose.kid) {
    return { ok: false, code: 'E_KID_MISMATCH', message: `the payload's dev ${JSON.stringify(payload.dev)} is not the kid ${cose.kid}` };
  }
  return { ok: true, seq: payload.seq };
}
