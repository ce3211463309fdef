/**
 * Errors in the gateway's configuration: a bad flag, environment variable or config-file key. The message
 * names the setting and where its value came from, so a site operator can fix it without reading code.
 */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type ConfigErrorCode =
  /** A value is present but not acceptable (wrong type, out of range, malformed). */
  | 'E_CONFIG_INVALID'
  /** A setting without a default was given nowhere. */
  | 'E_CONFIG_MISSING'
  /** The config file could not be read or parsed, or holds a key we do not know. */
  | 'E_CONFIG_FILE';

export class ConfigError extends TrialgateError<ConfigErrorCode> {
  override readonly name = 'ConfigError';

  constructor(code: ConfigErrorCode, message: string, options?: TrialgateErrorOptions) {
    super(code, message, options);
  }
}
