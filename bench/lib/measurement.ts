/**
 * One number a benchmark measured. Every suite returns these; the runner prints them as a markdown table and
 * writes them, with the machine they were measured on, to `bench/results/<date>-<host>.json`.
 */
export interface Measurement {
  /** The suite that measured it, e.g. `ed25519-verify`. */
  readonly suite: string;
  /** What was measured, e.g. `node:crypto verify (cached KeyObject)`. */
  readonly name: string;
  readonly value: number;
  /** e.g. `ops/s`, `ms`, `MB`. */
  readonly unit: string;
  /** Parameters that distinguish rows (devices, entries, ...). */
  readonly params?: Readonly<Record<string, string | number>>;
  readonly note?: string;
}

export interface SuiteOptions {
  /** `--quick`: smaller counts, so that the whole run stays under 3 minutes. */
  readonly quick: boolean;
}

export type Suite = (options: SuiteOptions) => Promise<readonly Measurement[]>;
