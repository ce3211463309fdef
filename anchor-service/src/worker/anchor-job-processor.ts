/**
 * The BullMQ processor for checkpoint jobs: decodes the job (a malformed one fails at once, unrecoverably),
 * runs its anchor on every configured chain in parallel, and completes when each chain is final or
 * superseded. Transient problems never fail a job (the lifecycle retries them), so the gateway's job options
 * (attempts, backoff) do not matter for keeping the backlog.
 *
 * Shutdown: `abort()` stops every lifecycle at its next await; each active job is moved back to `delayed`
 * (due now) and BullMQ is told so with `DelayedError`, so the next worker to start picks it up at once, from
 * the state stored in Redis, without waiting for its lock to expire.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { NoteVerifier } from '@trialgate/proof-formats';
import type { Clock } from '../clock.js';
import { decodeCheckpointJob, type CheckpointJob } from '../checkpoint/checkpoint-job.js';
import { describeError } from '../errors/anchor-error.js';
import type { ChainAnchorer, ChainOutcome } from '../lifecycle/chain-anchorer.js';

export interface AnchorJobResult {
  readonly origin: string;
  readonly treeSize: number;
  readonly chains: readonly ChainOutcome[];
}

export interface AnchorJobProcessor {
  process(job: Job, token?: string): Promise<AnchorJobResult>;
  /** Stops every running lifecycle; their jobs go back to the queue. */
  abort(): void;
  /** Seconds since the oldest job still unfinished on `chainId` was enqueued (0 when none). */
  lagSeconds(chainId: number): number;
}

export interface AnchorJobProcessorParameters {
  readonly anchorers: readonly ChainAnchorer[];
  /** Pinned gateway keys (see `decodeCheckpointJob`); empty: not checked. */
  readonly trustedKeys?: readonly NoteVerifier[];
  readonly logger: Logger;
  readonly clock: Clock;
}

export function createAnchorJobProcessor(parameters: AnchorJobProcessorParameters): AnchorJobProcessor {
  const { anchorers, clock } = parameters;
  const log = parameters.logger.child({ component: 'anchor-job-processor' });
  const closing = new AbortController();
  /** Per active job: when it was enqueued and the chains it is still running on. */
  const active = new Map<string, { readonly enqueuedAtMs: number; readonly chains: Set<number> }>();

  return {
    async process(job, token) {
      let checkpoint: CheckpointJob;
      try {
        checkpoint = decodeCheckpointJob(job.data, { trustedKeys: parameters.trustedKeys ?? [] });
      } catch (error) {
        const described = describeError(error);
        log.error({ jobId: job.id, err: described }, 'checkpoint job refused');
        throw new UnrecoverableError(`${described.code}: ${described.message}`);
      }
      const key = job.id ?? `${checkpoint.origin}-${checkpoint.treeSize}`;
      const tracked = { enqueuedAtMs: job.timestamp, chains: new Set(anchorers.map((anchorer) => anchorer.chainId)) };
      active.set(key, tracked);
      try {
        const outcomes = await Promise.all(
          anchorers.map(async (anchorer) => {
            const outcome = await anchorer.anchor(checkpoint, { enqueuedAtMs: job.timestamp, signal: closing.signal });
            tracked.chains.delete(anchorer.chainId);
            return outcome;
          }),
        );
        const failed = outcomes.find((outcome) => outcome.state === 'failed');
        if (failed !== undefined && failed.state === 'failed') {
          throw new UnrecoverableError(`${failed.error.code}: ${failed.error.message}`);
        }
        return { origin: checkpoint.origin, treeSize: checkpoint.treeSize, chains: outcomes };
      } catch (error) {
        if (closing.signal.aborted && token !== undefined) {
          await job.moveToDelayed(clock.now(), token);
          throw new DelayedError('anchor service shutting down; the job resumes on the next worker');
        }
        throw error;
      } finally {
        active.delete(key);
      }
    },
    abort() {
      closing.abort(new DOMException('anchor service shutting down', 'AbortError'));
    },
    lagSeconds(chainId) {
      let oldest: number | null = null;
      for (const entry of active.values()) {
        if (entry.chains.has(chainId) && (oldest === null || entry.enqueuedAtMs < oldest)) oldest = entry.enqueuedAtMs;
      }
      return oldest === null ? 0 : Math.max(0, clock.now() - oldest) / 1000;
    },
  };
}
