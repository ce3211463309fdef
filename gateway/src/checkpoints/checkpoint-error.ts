/** Errors of the checkpointer (checkpoints/checkpointer.ts). */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type CheckpointErrorCode =
  /** The latest stored checkpoint is not signed by the gateway's key: the key file was replaced. */
  | 'E_CHECKPOINT_FOREIGN_KEY'
  /** The latest stored checkpoint is of another origin. */
  | 'E_CHECKPOINT_ORIGIN';

export class CheckpointError extends TrialgateError<CheckpointErrorCode> {
  override readonly name: string = 'CheckpointError';

  constructor(code: CheckpointErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}
