/**
 * How a reliability run is sized and reported (docs/RELIABILITY.md).
 *
 * - `TG_RELIABILITY_FULL=1`: longer runs and more repetitions on demand; the default still does everything
 *   issue 7 lists with its counts (20 kills, 30 s of Redis outage) and fits `.ci/run`'s time.
 * - `TG_RELIABILITY_SEED=N`: replays the random instants and choices of a run (each scenario prints its seed).
 * - `TG_RELIABILITY_REPORT=FILE`: every scenario appends its measured numbers there as one JSON line, besides
 *   printing them; docs/RELIABILITY.md quotes them.
 */
import { appendFileSync } from 'node:fs';

export const FULL_RUN = process.env['TG_RELIABILITY_FULL'] === '1';

/** The run's seed: `TG_RELIABILITY_SEED`, else a fresh one (printed with every result). */
export const RUN_SEED = Number(process.env['TG_RELIABILITY_SEED'] ?? Math.floor(Math.random() * 1_000_000));

/** `normal` by default, `full` with TG_RELIABILITY_FULL=1. */
export function sized<T>(normal: T, full: T): T {
  return FULL_RUN ? full : normal;
}

/** A small deterministic PRNG (mulberry32) over [0, 1), so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Prints a scenario's measured numbers (and appends them to TG_RELIABILITY_REPORT when set). */
export function reportResult(scenario: string, numbers: Readonly<Record<string, unknown>>): void {
  const line = JSON.stringify({ scenario, seed: RUN_SEED, full: FULL_RUN, at: new Date().toISOString(), ...numbers });
  console.info(`reliability result: ${line}`);
  const file = process.env['TG_RELIABILITY_REPORT'];
  if (file !== undefined && file !== '') appendFileSync(file, `${line}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns something other than undefined/false; throws after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** Percentile (0-100) of `values` (nearest rank); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
