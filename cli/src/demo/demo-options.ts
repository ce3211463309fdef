/**
 * The options of `trialgate demo`, checked once where they enter (flags and the environment); after this,
 * types. Defaults give a one-minute run of 20 devices that a first-time user can watch to the end.
 */
import path from 'node:path';
import { DemoError } from './demo-error.js';

export interface DemoOptions {
  /** Seconds the devices produce readings (the run then finishes: final checkpoint, anchor, bundle). */
  readonly durationS: number;
  readonly devices: number;
  /** Readings per second over the whole fleet. */
  readonly rate: number;
  /** Absolute path of the output directory (bundle, logs, the gateway's data). */
  readonly outDir: string;
  /** Redis named by `--redis` or `REDIS_URL`; undefined: try 127.0.0.1:6379, else start a private one. */
  readonly redisUrl: string | undefined;
  /** Also inject every fault kind of the simulator (they end in the gateway's quarantine). */
  readonly faults: boolean;
}

export interface DemoFlags {
  readonly duration?: string;
  readonly devices?: string;
  readonly rate?: string;
  readonly out?: string;
  readonly redis?: string;
  readonly faults?: boolean;
}

export const DEFAULT_DURATION_S = 60;
export const DEFAULT_DEVICES = 20;
export const DEFAULT_OUT_DIR = 'demo-out';
/** About 2.5 readings per second per device: enough to watch the log grow, little enough for any laptop. */
export const DEFAULT_RATE_PER_DEVICE = 2.5;

export function parseDemoOptions(flags: DemoFlags, env: NodeJS.ProcessEnv, cwd: string): DemoOptions {
  const durationS = number('--duration', flags.duration, DEFAULT_DURATION_S, { min: 1, max: 86_400, integer: false });
  const devices = number('--devices', flags.devices, DEFAULT_DEVICES, { min: 1, max: 1000, integer: true });
  const rate = number('--rate', flags.rate?.replace(/\/s$/, ''), devices * DEFAULT_RATE_PER_DEVICE, { min: 0.1, max: 5000, integer: false });
  const redis = flags.redis ?? nonEmpty(env['REDIS_URL']);
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) {
    throw new DemoError('E_DEMO_OPTION_INVALID', `--redis / REDIS_URL: expected redis://host:port or rediss://..., got "${redis}"`);
  }
  return {
    durationS,
    devices,
    rate,
    outDir: path.resolve(cwd, flags.out ?? DEFAULT_OUT_DIR),
    redisUrl: redis,
    faults: flags.faults === true,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function number(
  flag: string,
  text: string | undefined,
  fallback: number,
  limits: { readonly min: number; readonly max: number; readonly integer: boolean },
): number {
  if (text === undefined) return fallback;
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value < limits.min || value > limits.max || (limits.integer && !Number.isInteger(value))) {
    throw new DemoError(
      'E_DEMO_OPTION_INVALID',
      `${flag}: expected ${limits.integer ? 'a whole number' : 'a number'} from ${limits.min} to ${limits.max}, got "${text}"`,
    );
  }
  return value;
}
