export type { TreeHashStore, TreeNode } from './tree/tree-hash-store.js';
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
