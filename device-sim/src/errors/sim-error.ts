import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

/**
 * Stable codes of the errors the simulator raises on purpose. They become exit codes only in the CLI.
 * - `E_SIM_OPTION_INVALID`: an option given to the simulator (rate, devices, mix, fault kind) is unusable.
 * - `E_SIM_STATE_CORRUPT`: a file in the state directory cannot be read back (not a torn last record).
 * - `E_SIM_FLEET_INVALID`: a fleet file does not describe a fleet.
 * - `E_SIM_GATEWAY_KEY_INVALID`: the gateway key is neither a C2SP verifier key nor base64 of 32 bytes.
 * - `E_SIM_DOWNLINK_INVALID`: a downlink message failed decoding or its signature (it is ignored and logged).
 * - `E_SIM_STOPPED`: the simulation or device was stopped while the operation waited.
 */
export type SimErrorCode =
  | 'E_SIM_OPTION_INVALID'
  | 'E_SIM_STATE_CORRUPT'
  | 'E_SIM_FLEET_INVALID'
  | 'E_SIM_GATEWAY_KEY_INVALID'
  | 'E_SIM_DOWNLINK_INVALID'
  | 'E_SIM_STOPPED';

export class SimError extends TrialgateError<SimErrorCode> {
  override readonly name: string = 'SimError';

  constructor(code: SimErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}
