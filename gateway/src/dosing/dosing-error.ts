/** Errors of dose schedules, reminders and their log entries (docs/dosing.md). */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type DosingErrorCode =
  /** A schedule given by an operator is not usable (time, slot, zone, window, reminder offsets). */
  | 'E_DOSING_INVALID'
  /** The device is not enrolled, or is retired. */
  | 'E_DOSING_UNKNOWN_DEVICE'
  /** A `gateway` entry that claims to be a dosing record but is not in the documented form. */
  | 'E_DOSING_ENTRY';

export class DosingError extends TrialgateError<DosingErrorCode> {
  override readonly name = 'DosingError';

  constructor(code: DosingErrorCode, message: string, options?: TrialgateErrorOptions) {
    super(code, message, options);
  }
}
