import type { Random } from '../random/random.js';

export interface BackoffPolicy {
  /** Delay ceiling of the first retry, ms (default 250). */
  readonly initialMs: number;
  /** Largest delay, ms (default 30 000). */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 30_000 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry): exponential growth capped at
 * `maxMs`, with "equal jitter" (half fixed, half random), so a thousand devices that lost the gateway at the
 * same instant do not all come back in the same millisecond, yet none retries at once in a tight loop.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: Random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random.next() * (ceiling / 2));
}
