/**
 * How many worker threads `trialgate verify` gives the device signatures (proof-formats `signatureWorkers`).
 * Ed25519 verification is what a sponsor waits for on a large bundle, so by default a bundle of 1 MiB or more
 * (some 1,000 entries) gets one worker per core; a smaller one is verified on the main thread, where starting
 * workers would cost more than it saves. `--threads N` overrides (0: none). The report is the same either way.
 */
export const AUTO_THREADS_MIN_BYTES = 1024 * 1024;
export const MAX_THREADS = 64;

/** `undefined` when `flag` is not a thread count (a usage error). */
export function parseThreadsFlag(flag: string): number | undefined {
  if (!/^(?:0|[1-9][0-9]?)$/.test(flag)) return undefined;
  const n = Number(flag);
  return n <= MAX_THREADS ? n : undefined;
}

export function signatureThreads(flag: number | undefined, inputBytes: number, cores: number): number {
  if (flag !== undefined) return flag;
  return inputBytes >= AUTO_THREADS_MIN_BYTES ? Math.max(1, cores) : 0;
}
