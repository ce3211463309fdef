/** Errors of the gateway's signing key (keys/gateway-key.ts). */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type KeyErrorCode =
  /** No key file in the data directory (the gateway was never started there). */
  | 'E_KEY_NOT_FOUND'
  /** The key file is not a signer key, or is readable by others than its owner. */
  | 'E_KEY_INVALID'
  /** The key file is the key of another origin (key name = log origin). */
  | 'E_KEY_ORIGIN_MISMATCH';

export class KeyError extends TrialgateError<KeyErrorCode> {
  override readonly name: string = 'KeyError';

  constructor(code: KeyErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}
