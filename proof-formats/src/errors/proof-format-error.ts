import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

/**
 * Every code the proof formats (spec sections 4-8) can raise. Codes are stable: the gateway, the anchor
 * service, `trialgate verify` and sponsors' scripts match on them, so a code is never reworded or reused.
 * docs/proof-formats.md lists each with its meaning.
 */
export type ProofFormatErrorCode =
  // Plain-data encodings at the boundary (base64, hex, numbers).
  | 'E_ENCODING'
  // Log entries (section 4), src/entry/
  | 'E_ENTRY_INVALID'
  | 'E_ENTRY_DECODE'
  | 'E_ENTRY_NOT_CANONICAL'
  // RFC 9162 tree (section 5), src/tree/
  | 'E_TREE_ARGUMENT'
  | 'E_TREE_STORE'
  | 'E_INCLUSION_PROOF'
  | 'E_CONSISTENCY_PROOF'
  // C2SP signed notes (section 5), src/note/
  | 'E_NOTE_MALFORMED'
  | 'E_NOTE_TOO_LARGE'
  | 'E_NOTE_UNVERIFIED'
  | 'E_NOTE_SIGNATURE'
  | 'E_NOTE_AMBIGUOUS_KEY'
  | 'E_NOTE_KEY_NAME'
  | 'E_VERIFIER_KEY'
  | 'E_SIGNER_KEY'
  // C2SP tlog-checkpoint (section 5), src/checkpoint/
  | 'E_CHECKPOINT_MALFORMED'
  // Proof bundles (section 8), src/bundle/
  | 'E_BUNDLE_NOT_JSON'
  | 'E_BUNDLE_SHAPE'
  | 'E_BUNDLE_FORMAT'
  | 'E_BUNDLE_BUILD'
  // Anchors (section 6), src/anchor/
  | 'E_ANCHOR_ARGUMENT'
  | 'E_ANCHOR_RPC';

/** The error class of this package: a `TrialgateError` whose `code` is one of `ProofFormatErrorCode`. */
export class ProofFormatError extends TrialgateError<ProofFormatErrorCode> {
  override readonly name: string = 'ProofFormatError';

  constructor(code: ProofFormatErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isProofFormatError(value: unknown): value is ProofFormatError {
  return value instanceof ProofFormatError;
}
