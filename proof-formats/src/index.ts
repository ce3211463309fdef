export { ProofFormatError, isProofFormatError, type ProofFormatErrorCode } from './errors/proof-format-error.js';
export { decodeBase64, encodeBase64 } from './encoding/canonical-base64.js';
export { bytesEqual, toHex } from './encoding/bytes.js';
export { sha256 } from './crypto/sha256.js';

export type { TreeHashStore, TreeNode } from './tree/tree-hash-store.js';
export { EMPTY_TREE_ROOT, HASH_SIZE, leafHash, nodeHash } from './tree/tree-hashing.js';
export {
  inclusionProofLength,
  rootFromInclusionProof,
  verifyInclusionProof,
  type InclusionProofInput,
  type VerifyInclusionInput,
} from './tree/inclusion-proof.js';
export {
  consistencyProofLength,
  verifyConsistencyProof,
  type ConsistencyProofInput,
  type VerifyConsistencyInput,
} from './tree/consistency-proof.js';
export {
  consistencyProofFromStore,
  inclusionProofFromStore,
  leafHashFromStore,
  rootFromStore,
  type TreeNodeReader,
} from './tree/stored-tree-proofs.js';
export { IncrementalTree } from './tree/incremental-tree.js';
export { MAX_TREE_LEVEL, MemoryTreeHashStore, validateNodeBatch } from './tree/memory-tree-hash-store.js';

export { isValidKeyName } from './note/key-name.js';
export { NOTE_SIGNATURE_TYPE_ED25519, formatKeyId, noteKeyId } from './note/note-key-id.js';
export { createNoteVerifier, formatVerifierKey, parseVerifierKey, type NoteVerifier } from './note/note-verifier.js';
export { createNoteSigner, formatSignerKey, parseSignerKey, type NoteSigner } from './note/note-signer.js';
export {
  MAX_NOTE_BYTES,
  MAX_NOTE_SIGNATURES,
  SIGNATURE_LINE_PREFIX,
  openNote,
  signNote,
  splitNote,
  type NoteSignature,
  type OpenedNote,
} from './note/signed-note.js';

export { formatCheckpointBody, parseCheckpointBody, type Checkpoint } from './checkpoint/checkpoint-body.js';
export { checkpointBodyOf, checkpointDigest, checkpointDigestHex } from './checkpoint/checkpoint-digest.js';
export { openCheckpoint, signCheckpoint, type OpenedCheckpoint } from './checkpoint/signed-checkpoint.js';

export type { AnchorCheck, AnchorClaim, AnchorFailureCode, AnchorVerifier } from './anchor/anchor-verifier.js';
export { createRpcAnchorVerifier, type RpcAnchorVerifierOptions } from './anchor/rpc-anchor-verifier.js';
// The local development chain's binary, for the test helpers, `trialgate demo` and the benchmarks.
export { findAnvilBinary, findOnPath } from './anchor/anvil-binary.js';
// Clean-up of a private queue prefix on a shared Redis (tests, the demo); the client is passed in.
export { deleteKeysUnderPrefix, type RedisKeyScanner } from './anchor/delete-prefixed-keys.js';

export {
  BUNDLE_FORMAT,
  type BundleAnchor,
  type BundleCheckpoint,
  type BundleConsistencyProof,
  type BundleDevice,
  type BundleEntry,
  type ProofBundle,
} from './bundle/proof-bundle.js';
export { parseBundle, serializeBundle, type ParsedBundle } from './bundle/parse-bundle.js';
export {
  buildBundle,
  type BuildBundleCheckpoint,
  type BuildBundleConsistencyProof,
  type BuildBundleDevice,
  type BuildBundleEntry,
  type BuildBundleInput,
} from './bundle/build-bundle.js';
export { assembleBundle, type AssembleBundleInput } from './bundle/assemble-bundle.js';
export { unusableReport, verifyBundle, verifyBundleText, type VerifyBundleOptions } from './bundle/verify-bundle.js';
export {
  VERDICT_EXIT_CODES,
  VERIFICATION_REPORT_FORMAT,
  type AnchorReport,
  type BundleVerificationReport,
  type CheckpointReport,
  type Finding,
  type FindingSubject,
  type SeqGap,
  type Verdict,
} from './bundle/verification-report.js';

export {
  ANCHOR_RESULT_FORMAT,
  CHECKPOINT_JOB_FORMAT,
  CHECKPOINT_QUEUE_NAME,
  anchorResultsQueueName,
  checkpointJobId,
  originTag,
  type AnchorResultData,
  type AnchorState,
  type CheckpointJobData,
} from './anchor/anchor-queue-contract.js';
export {
  LOG_ENTRY_VERSION,
  type ContentType,
  type LogEntry,
  type Transport,
} from './entry/log-entry.js';
export { TRANSPORTS, isContentType, isGattContentType, isTransport } from './entry/content-type.js';
export { assertLogEntry, encodeLogEntry, isValidEntryDeviceId } from './entry/encode-log-entry.js';
export { MAX_LOG_ENTRY_BYTES, decodeLogEntry, type DecodeLogEntryOptions } from './entry/decode-log-entry.js';
