/**
 * Retry delays: exponential from `initialMs`, capped at `maxMs`, with "equal jitter" (half fixed, half
 * random) so that several workers hitting one failing RPC endpoint do not retry in lockstep.
 */
export interface BackoffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
}

export function backoffDelayMs(settings: BackoffSettings, failures: number, random: () => number): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(settings.maxMs, settings.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Sleeps `ms`, or rejects with the signal's reason (an AbortError) as soon as it is aborted. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const timerSleep: Sleep = async (ms, signal) => {
  const { setTimeout } = await import('node:timers/promises');
  await setTimeout(ms, undefined, { signal });
};
