/**
 * The port through which the outbox hands checkpoints to the anchor service (a BullMQ queue in production,
 * `bullmq-checkpoint-queue.ts`; an in-memory one in tests). `add` must be idempotent for one job id.
 */
import type { CheckpointJobData } from '@trialgate/proof-formats';

export interface CheckpointQueue {
  /** Resolves once the job is stored in the queue; rejects (quickly) if the queue is unreachable. */
  add(jobId: string, data: CheckpointJobData): Promise<void>;
  close(): Promise<void>;
}
