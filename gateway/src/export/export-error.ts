/** Errors of `exportBundle`. */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type ExportErrorCode =
  /** The log has no signed checkpoint yet: nothing can be proven. */
  | 'E_EXPORT_NO_CHECKPOINT'
  /** The selection (`--from`, `--to`, `--device`) is malformed. */
  | 'E_EXPORT_SELECTION'
  /** The output could not be written. */
  | 'E_EXPORT_OUTPUT';

export class ExportError extends TrialgateError<ExportErrorCode> {
  override readonly name: string = 'ExportError';

  constructor(code: ExportErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}
