/** Errors of the downlink (messages from the gateway to devices). */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type DownlinkErrorCode =
  /** Bytes that are not a downlink message of this gateway for this device (docs/device-downlink.md). */
  'E_DOWNLINK_INVALID';

export class DownlinkError extends TrialgateError<DownlinkErrorCode> {
  override readonly name = 'DownlinkError';

  constructor(code: DownlinkErrorCode, message: string, options?: TrialgateErrorOptions) {
    super(code, message, options);
  }
}
