/**
 * Errors of the device registry. The message says what to fix; the CLI maps codes to exit statuses and the
 * admin API to HTTP statuses (4xx for all of these: they are the caller's to fix).
 */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type RegistryErrorCode =
  /** An argument is malformed: device id, public key, kind, subject, transports. */
  | 'E_REGISTRY_INVALID'
  | 'E_REGISTRY_UNKNOWN_DEVICE'
  /** A device id is enrolled once, ever: its seq counter and audit trail belong to it. */
  | 'E_REGISTRY_DEVICE_EXISTS'
  /** The change does not apply to the device's current state (e.g. resuming a retired device). */
  | 'E_REGISTRY_TRANSITION'
  /** A bulk import had bad lines; nothing was changed. `details.problems` names each line. */
  | 'E_REGISTRY_IMPORT'
  /** A `registry` log entry whose CBOR map is not a registry change we know (spec section 4). */
  | 'E_REGISTRY_ENTRY';

export class RegistryError extends TrialgateError<RegistryErrorCode> {
  override readonly name = 'RegistryError';

  constructor(code: RegistryErrorCode, message: string, options?: TrialgateErrorOptions) {
    super(code, message, options);
  }
}

export function isRegistryError(value: unknown): value is RegistryError {
  return value instanceof RegistryError;
}
