import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

/**
 * Stable codes of the errors `trialgate demo` raises on purpose; they become exit codes only in the command.
 * - `E_DEMO_OPTION_INVALID`: a flag of the demo is unusable (duration, devices, rate).
 * - `E_DEMO_OUT_DIR`: the output directory holds files that are not an earlier demo's (never deleted).
 * - `E_DEMO_NO_REDIS`: no Redis answered and none could be started.
 * - `E_DEMO_PART_FAILED`: a part of the site (chain, gateway, anchor worker, devices, a command) did not start
 *   or stopped unexpectedly; `details.part` names it, `details.logFile` is where its output is.
 * - `E_DEMO_TIMEOUT`: a bounded wait ran out.
 * - `E_DEMO_INTERRUPTED`: the user asked to quit at once (a second Ctrl-C) or before the site was up.
 */
export type DemoErrorCode =
  | 'E_DEMO_OPTION_INVALID'
  | 'E_DEMO_OUT_DIR'
  | 'E_DEMO_NO_REDIS'
  | 'E_DEMO_PART_FAILED'
  | 'E_DEMO_TIMEOUT'
  | 'E_DEMO_INTERRUPTED';

export class DemoError extends TrialgateError<DemoErrorCode> {
  override readonly name: string = 'DemoError';

  constructor(code: DemoErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isDemoError(value: unknown): value is DemoError {
  return value instanceof DemoError;
}
