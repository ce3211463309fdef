/** Errors of the anchoring hand-off (outbox, queues, results). */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type AnchoringErrorCode =
  /** An anchor result from the queue that is malformed or not about a checkpoint this gateway signed. */
  | 'E_ANCHOR_RESULT_INVALID'
  /** The checkpoint queue (Redis) could not take a job; the outbox retries with backoff. */
  | 'E_ANCHOR_QUEUE_UNAVAILABLE';

export class AnchoringError extends TrialgateError<AnchoringErrorCode> {
  override readonly name: string = 'AnchoringError';

  constructor(code: AnchoringErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}
