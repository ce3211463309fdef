import type { Ed25519Verifier } from '@trialgate/firmware-protocol';
import { checkSignedMessage, type SignedMessageOutcome } from './check-signed-message.js';

export interface SignedMessageRequest {
  /** The entry's device id, which must have keys in the checker's key table. */
  readonly deviceId: string;
  /** The logged COSE_Sign1 bytes. */
  readonly original: Uint8Array;
}

/**
 * Where `verifyBundle` has the signed entries checked (`checkSignedMessage`): on the calling thread, or on
 * worker threads (SignatureWorkerPool). Either way the outcomes come back in the order of the requests.
 */
export interface SignedMessageChecker {
  check(requests: readonly SignedMessageRequest[]): Promise<readonly SignedMessageOutcome[]>;
  close(): Promise<void>;
}

/** Checks on the calling thread, with the verifiers `verifyBundle` built (one cached KeyObject per key). */
export function inThreadSignedMessageChecker(verifiers: ReadonlyMap<string, readonly Ed25519Verifier[]>): SignedMessageChecker {
  return {
    check: (requests) => Promise.resolve(requests.map((r) => checkSignedMessage(r.original, r.deviceId, verifiers.get(r.deviceId) ?? []))),
    close: () => Promise.resolve(),
  };
}
