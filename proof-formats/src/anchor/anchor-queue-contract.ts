/**
 * The hand-off between a gateway and the anchor service, over BullMQ queues on Redis.
 *
 * The gateway adds one job per signed checkpoint to `CHECKPOINT_QUEUE_NAME`; the anchor service posts each
 * state change of an anchor to the gateway's own results queue, named in the job. Both sides depend on these
 * types only, never on each other. Job data is plain JSON: no key or secret ever travels in a job.
 */
import { createHash } from 'node:crypto';

export const CHECKPOINT_QUEUE_NAME = 'tg-checkpoints';

export const CHECKPOINT_JOB_FORMAT = 'tg-checkpoint-job/1';
export const ANCHOR_RESULT_FORMAT = 'tg-anchor-result/1';

/** A short, queue-name-safe tag for a log origin (BullMQ names and job ids may not contain ':'). */
export function originTag(origin: string): string {
  return createHash('sha256').update(origin, 'utf8').digest('hex').slice(0, 16);
}

/** The queue on which the anchor service reports back to the gateway of `origin`. */
export function anchorResultsQueueName(origin: string): string {
  return `tg-anchor-results-${originTag(origin)}`;
}

/** One job per checkpoint; the job id makes a re-offer of the same checkpoint idempotent. */
export function checkpointJobId(origin: string, treeSize: number): string {
  return `cp-${originTag(origin)}-${treeSize}`;
}

export interface CheckpointJobData {
  readonly format: typeof CHECKPOINT_JOB_FORMAT;
  readonly origin: string;
  readonly treeSize: number;
  /** The whole signed note, as the gateway signed it. */
  readonly note: string;
  /** 0x-prefixed hex SHA-256 of the checkpoint body (spec section 6): the bytes that go on chain. */
  readonly digest: `0x${string}`;
  /** Where results go: `anchorResultsQueueName(origin)`. */
  readonly resultsQueue: string;
}

/**
 * submitted: a transaction carrying the digest was broadcast; included: it is in a block; final: that block
 * is final (finalized tag, or enough confirmations); superseded: a newer checkpoint of the same origin was
 * anchored instead (anchoring the newest anchors every earlier entry); failed: it cannot be anchored on this
 * chain (the error says why); the backlog is kept and retried by the service.
 */
export type AnchorState = 'submitted' | 'included' | 'final' | 'superseded' | 'failed';

export interface AnchorResultData {
  readonly format: typeof ANCHOR_RESULT_FORMAT;
  readonly origin: string;
  readonly treeSize: number;
  readonly digest: `0x${string}`;
  readonly state: AnchorState;
  readonly chainId: number;
  /** Present from `submitted` on. */
  readonly txHash?: `0x${string}`;
  /** The anchoring address. */
  readonly from?: `0x${string}`;
  /** Present from `included` on. */
  readonly blockNumber?: number;
  readonly blockHash?: `0x${string}`;
  /** For `superseded`: the tree size whose anchor covers this checkpoint. */
  readonly supersededBy?: number;
  readonly error?: { readonly code: string; readonly message: string };
  /** ms since the Unix epoch when the anchor service observed this state. */
  readonly observedAtMs: number;
}
