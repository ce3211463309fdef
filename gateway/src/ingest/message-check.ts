/**
 * The part of a device message's check that runs off the main thread (check-worker.ts): the payload against
 * its schema (spec section 2), `dev` = kid, and the Ed25519 signature under the registered key. The main thread
 * has already taken the COSE structure apart, matched the kid with the sender and looked the device up; it
 * keeps the broker and the log (issue 3).
 *
 * Pure: the same function runs on the main thread when there are no workers (`--verify-workers 0`).
 */
import { decodeDevicePayload, isTrialgateError, type DecodedDevicePayload, type PayloadFlag } from '@trialgate/firmware-protocol';
import { sigStructureView } from './sig-structure-scratch.js';
import type { VerifierCache } from './verifier-cache.js';

export type MessageCheckKind =
  /** A device message: payload, `dev` = kid, signature. */
  | 'device-message'
  /** Only the signature (a connect token, whose payload the caller decoded). */
  | 'signature-only';

export interface MessageCheckRequest {
  readonly kind: MessageCheckKind;
  readonly kid: string;
  /** The device's registered public key (32 bytes), current when the message was checked. */
  readonly publicKey: Uint8Array;
  /** The COSE parts exactly as received (RFC 9052 section 4.4: the signature covers them as transmitted). */
  readonly protectedBytes: Uint8Array;
  readonly payloadBytes: Uint8Array;
  /** 64 bytes. */
  readonly signature: Uint8Array;
}

export type MessageCheckResult = MessageCheckPassed | MessageCheckFailed;

export interface MessageCheckPassed {
  readonly ok: true;
  /** The payload's seq and device time (0 for `signature-only`). */
  readonly seq: number;
  readonly t: number;
  readonly flags: readonly PayloadFlag[];
}

export interface MessageCheckFailed {
  readonly ok: false;
  readonly reason: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly seq: number | null;
  /** `dev` names another device than the kid: acting as that device (spec section 7). */
  readonly impersonation: boolean;
}

export function checkMessage(request: MessageCheckRequest, verifiers: VerifierCache): MessageCheckResult {
  let seq: number | null = null;
  let t = 0;
  let flags: readonly PayloadFlag[] = [];
  if (request.kind === 'device-message') {
    // Attacker-controlled: the payload, read before its signature is checked (strict decoder, typed errors).
    let decoded: DecodedDevicePayload;
    try {
      decoded = decodeDevicePayload(request.payloadBytes, { maxBytes: request.payloadBytes.length });
    } catch (error) {
      // Worded as decodeDeviceMessage words payload errors.
      return isTrialgateError(error)
        ? { ok: false, reason: error.code, message: `payload: ${error.message}`, details: { error: error.details, in: 'payload' }, seq: null, impersonation: false }
        : { ok: false, reason: 'E_INTERNAL_DECODE', message: 'the payload could not be decoded', details: {}, seq: null, impersonation: false };
    }
    seq = decoded.payload.seq;
    if (decoded.payload.dev !== request.kid) {
      // Spec section 2: `dev` must equal the kid; section 7: naming another device is acting as it.
      return {
        ok: false,
        reason: 'E_KID_MISMATCH',
        message: `payload dev ${JSON.stringify(decoded.payload.dev)} differs from the kid ${JSON.stringify(request.kid)}: a device signs only as itself`,
        details: { kid: request.kid, dev: decoded.payload.dev },
        seq,
        impersonation: true,
      };
    }
    t = decoded.payload.t;
    flags = decoded.flags;
  }
  // RFC 9052 section 4.4: the signature covers the protected header and payload exactly as received.
  if (!verifiers.verify(request.publicKey, sigStructureView(request.protectedBytes, request.payloadBytes), request.signature)) {
    return {
      ok: false,
      reason: 'E_COSE_SIGNATURE',
      message: `the signature does not verify under the registered public key of device ${request.kid}`,
      details: {},
      seq,
      impersonation: false,
    };
  }
  return { ok: true, seq: seq ?? 0, t, flags };
}
