/**
 * Delays before reopening a serial port or reconnecting a BLE peripheral: exponential growth capped at
 * `maxMs`, with "equal jitter" (half fixed, half random), so that devices that went away together (a
 * power cut, a USB hub reset) do not all come back in the same millisecond, yet none is retried in a tight
 * loop. The randomness is passed in, so tests are deterministic.
 */

export interface BackoffPolicy {
  /** Delay ceiling of the first retry, ms. */
  readonly initialMs: number;
  /** Largest delay, ms. */
  readonly maxMs: number;
}

export const DEFAULT_REOPEN_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 30_000 };

/** A source of numbers uniform in [0, 1) (Math.random in production, seeded in tests). */
export type RandomSource = () => number;

export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: RandomSource): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
