import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

/**
 * Every code the anchor service raises. Codes are stable (sites alert on them, the gateway shows them on a
 * checkpoint whose anchor is `failed`), so a code is never reworded or reused. docs/anchoring.md lists them.
 * They are prefixed `E_ANCHORING_` so that they never collide with proof-formats' `E_ANCHOR_*` verifier codes.
 */
export type AnchorErrorCode =
  /** A setting, flag, environment variable or config-file key is missing or malformed. */
  | 'E_ANCHORING_CONFIG'
  /** The anchoring key (file or environment variable) is unreadable or not a 0x-prefixed 32-byte hex key. */
  | 'E_ANCHORING_KEY'
  /** A checkpoint job's data is not a `tg-checkpoint-job/1` the service can anchor. */
  | 'E_ANCHORING_JOB_INVALID'
  /** A checkpoint job's digest is not SHA-256 of its note's body (spec section 6). */
  | 'E_ANCHORING_DIGEST_MISMATCH'
  /** Gateway keys are pinned and the checkpoint note is not signed by the pinned key of its origin. */
  | 'E_ANCHORING_NOTE_UNVERIFIED'
  /** The same (origin, tree size) was offered before with another digest: two inconsistent checkpoints. */
  | 'E_ANCHORING_DIGEST_CONFLICT'
  /** The RPC endpoint reports another chain id than the configured one. */
  | 'E_ANCHORING_CHAIN_MISMATCH'
  /** The chain has no `finalized` block tag: configure N confirmations instead. */
  | 'E_ANCHORING_NO_FINALIZED_TAG'
  /** The chain has no EIP-1559 base fee; the service sends type-2 transactions only. */
  | 'E_ANCHORING_NO_EIP1559'
  /** The RPC endpoint is unreachable or answered with an error; retried with backoff. */
  | 'E_ANCHORING_RPC'
  /** The anchoring address cannot pay for the anchor; retried with backoff, the backlog is kept. */
  | 'E_ANCHORING_INSUFFICIENT_FUNDS'
  /** The chain's fees exceed the configured maximum fee per anchor; retried when fees fall. */
  | 'E_ANCHORING_FEE_CEILING'
  /** The anchor's nonce was used by a transaction this service did not send; anchored again. */
  | 'E_ANCHORING_NONCE_CONSUMED'
  /** The anchor transaction was included but reverted; anchored again. */
  | 'E_ANCHORING_TX_REVERTED'
  /** The service's own state in Redis is unreadable. */
  | 'E_ANCHORING_STATE';

/** The error class of the anchor service: a `TrialgateError` whose `code` is an `AnchorErrorCode`. */
export class AnchorError extends TrialgateError<AnchorErrorCode> {
  override readonly name = 'AnchorError';

  constructor(code: AnchorErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isAnchorError(value: unknown): value is AnchorError {
  return value instanceof AnchorError;
}

/** Plain data for results and log lines: a typed error keeps its code, anything else is an RPC-level error. */
export function describeError(error: unknown): { readonly code: string; readonly message: string } {
  if (error instanceof TrialgateError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'E_ANCHORING_RPC', message: shortMessage(error) };
  return { code: 'E_ANCHORING_RPC', message: String(error) };
}

/** viem errors carry a one-line `shortMessage`; their `message` spans many lines with request bodies. */
export function shortMessage(error: Error): string {
  const short = (error as { shortMessage?: unknown }).shortMessage;
  const details = (error as { details?: unknown }).details;
  const head = typeof short === 'string' && short !== '' ? short : (error.message.split('\n')[0] ?? error.message);
  return typeof details === 'string' && details !== '' && !head.includes(details) ? `${head} (${details})` : head;
}
