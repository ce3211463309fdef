/**
 * How long each fuzz target of the security suite runs: a few seconds in CI, longer on demand with
 * `TG_FUZZ_SECONDS=600 npx vitest run --project int test/security` (docs/SECURITY.md). `TG_FUZZ_SEED` replays
 * a run (fast-check prints the seed of a failure). A target runs properties until its time is up and must
 * reach a minimum number of runs, so a machine too slow to fuzz at all fails instead of passing vacuously.
 */
import fc from 'fast-check';

export const DEFAULT_FUZZ_SECONDS = 4;

/** Seconds per fuzz target: `TG_FUZZ_SECONDS` (a positive number), else the CI default. */
export function fuzzSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['TG_FUZZ_SECONDS'];
  if (raw === undefined || raw.trim() === '') return DEFAULT_FUZZ_SECONDS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`TG_FUZZ_SECONDS must be a positive number of seconds, not ${JSON.stringify(raw)}`);
  return seconds;
}

function seed(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['TG_FUZZ_SEED'];
  return raw === undefined || raw.trim() === '' ? undefined : Number(raw);
}

/** A test timeout that leaves room for the fuzzing time, as long again to account for what it did, and `setupMs`. */
export function fuzzTimeoutMs(setupMs: number): number {
  return fuzzSeconds() * 2000 + setupMs;
}

/**
 * Runs `predicate` on values of `arbitrary` for the fuzz budget (or `seconds`): throws fast-check's report on a
 * failure, and if fewer than `minRuns` runs fitted in the time. Resolves to the number of runs.
 *
 * fast-check interrupts the run in progress when the time is up, but cannot stop its promise: it goes on in
 * the background. So the last run is awaited here (and its failure reported) before returning, and the caller
 * sees every run's effects complete when it counts what the system under test did.
 */
export async function fuzzFor<T>(
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  options: { readonly minRuns: number; readonly seconds?: number },
): Promise<number> {
  const givenSeed = seed();
  let last: Promise<unknown> = Promise.resolve(null);
  let started = 0;
  const property = fc.asyncProperty(arbitrary, (value) => {
    started += 1;
    const run = predicate(value);
    last = run.then(
      () => null,
      (error: unknown) => error,
    );
    return run;
  });
  const details = await fc.check(property, {
    numRuns: Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: (options.seconds ?? fuzzSeconds()) * 1000,
    markInterruptAsFailure: false,
    // The targets are stateful (a device's seq, a line's parser): a shrunk replay means nothing, so the first
    // failure is reported as it happened.
    endOnFailure: true,
    ...(givenSeed === undefined ? {} : { seed: givenSeed }),
  });
  const lastError = await last;
  // fast-check calls a run interrupted before any property run "failed" too, without a counterexample.
  if (details.failed && details.counterexample !== null) throw new Error(await fc.asyncDefaultReportMessage(details));
  if (lastError !== null) throw new Error(`the last fuzz run, interrupted by the time limit, failed (seed ${details.seed})`, { cause: lastError });
  if (details.numRuns < options.minRuns) {
    throw new Error(`only ${details.numRuns} fuzz runs fitted in the time (at least ${options.minRuns} expected); seed ${details.seed}`);
  }
  return started;
}
