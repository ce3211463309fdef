/** Errors of the serial transport (configuration and port handling; bad frames are quarantine reasons). */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type SerialErrorCode =
  /** A `--serial` value that is not `PATH[:BAUD]` with a standard baud rate. */
  | 'E_SERIAL_SPEC'
  /** Writing to a line that is not open (the device is unplugged): the caller retries later. */
  | 'E_SERIAL_NOT_OPEN'
  /** Two `--serial` values name the same port. */
  | 'E_SERIAL_DUPLICATE_PORT';

export class SerialError extends TrialgateError<SerialErrorCode> {
  override readonly name = 'SerialError';

  constructor(code: SerialErrorCode, message: string, options?: TrialgateErrorOptions) {
    super(code, message, options);
  }
}
