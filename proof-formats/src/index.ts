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
