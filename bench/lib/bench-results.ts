import fs from 'node:fs';
import path from 'node:path';
import type { LoadAverage } from './load-average.js';
import type { MachineDescription } from './machine.js';
import type { Measurement } from './measurement.js';
import type { SuiteRun } from './run-suites.js';

/**
 * What one run of `npm run bench` measured, as written to `bench/results/<date>-<host>.json`: the machine,
 * how busy it was (load average at the start and the end, and around each suite), each suite's outcome and
 * every measurement. Plain data, so that runs can be compared by any tool.
 */
export const BENCH_RESULTS_FORMAT = 'tg-bench-results/1';

export interface BenchResults {
  readonly format: typeof BENCH_RESULTS_FORMAT;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly quick: boolean;
  /** The suites asked for with `--only`, if any. */
  readonly only?: readonly string[];
  readonly machine: MachineDescription;
  readonly loadAverage: { readonly start: LoadAverage; readonly end: LoadAverage };
  readonly suites: readonly SuiteRun[];
  readonly measurements: readonly Measurement[];
}

/**
 * `<date>-<host>.json` for a full run; a quick run or one of some suites gets `-quick` / `-partial` added, so
 * that it never replaces the full run of the day.
 */
export function resultsFileName(results: Pick<BenchResults, 'startedAt' | 'quick' | 'only' | 'machine'>): string {
  const date = results.startedAt.slice(0, 10);
  const host = results.machine.host.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'host';
  // A partial run never replaces a whole one of the same kind and day.
  const kind = `${results.quick ? '-quick' : ''}${results.only === undefined ? '' : '-partial'}`;
  return `${date}-${host}${kind}.json`;
}

export function writeResults(directory: string, results: BenchResults): string {
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, resultsFileName(results));
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
