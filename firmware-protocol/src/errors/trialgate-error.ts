/**
 * The one base class for every error Trialgate raises on purpose.
 *
 * An error is a value: a stable machine-readable `code` (never reworded once published, since device makers,
 * sites and sponsors match on it), a short message a person understands, optional structured `details`, and
 * the `cause` chain. Errors become MQTT reason codes, HTTP statuses or exit codes only at the edge.
 */
export interface TrialgateErrorOptions {
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class TrialgateError<Code extends string = string> extends Error {
  override readonly name: string = 'TrialgateError';
  readonly code: Code;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, options: TrialgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** Plain data for logs, JSON output and quarantine records. */
  toJSON(): { code: Code; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isTrialgateError(value: unknown): value is TrialgateError {
  return value instanceof TrialgateError;
}
