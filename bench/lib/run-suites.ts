/**
 * Runs suites one after the other, each in a child process (suite-child.ts), each bounded in time: a suite
 * that overruns is killed with everything it started (its process group) and recorded as timed out, and the
 * run goes on with the next. Records the load average before and after each suite.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage, type LoadAverage } from './load-average.js';
import type { Measurement } from './measurement.js';
import type { SuiteChildMessage } from './suite-child.js';
import type { SuiteEntry } from './suite-list.js';

export interface SuiteRun {
  readonly name: string;
  readonly status: 'ok' | 'failed' | 'timed-out';
  readonly seconds: number;
  readonly loadAverage: { readonly start: LoadAverage; readonly end: LoadAverage };
  readonly error?: string;
}

export interface RunSuitesOptions {
  readonly suites: readonly SuiteEntry[];
  readonly quick: boolean;
  /** Per suite. */
  readonly timeoutMs: number;
  /** Told when a suite starts and ends (the runner prints progress). */
  readonly onProgress?: (event: { readonly suite: string; readonly phase: 'start' | 'end'; readonly run?: SuiteRun }) => void;
  /** The built suite-child.js (default: beside this module's build). */
  readonly childScript?: string;
}

export interface RunSuitesResult {
  readonly runs: readonly SuiteRun[];
  readonly measurements: readonly Measurement[];
}

function defaultChildScript(): string {
  const here = fileURLToPath(import.meta.url);
  // Under vitest this module runs from its TypeScript source; the child always runs the build.
  return here.endsWith('.ts') ? path.resolve(path.dirname(here), '../dist/lib/suite-child.js') : path.join(path.dirname(here), 'suite-child.js');
}

let current: number | undefined;

/** Kills the suite running now, with its process group (for the runner's SIGINT handler). */
export function killCurrentSuite(): void {
  if (current !== undefined) killGroup(current);
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export async function runSuites(options: RunSuitesOptions): Promise<RunSuitesResult> {
  const runs: SuiteRun[] = [];
  const measurements: Measurement[] = [];
  for (const suite of options.suites) {
    options.onProgress?.({ suite: suite.name, phase: 'start' });
    const start = loadAverage();
    const started = performance.now();
    const outcome = await runOne(suite, options);
    const run: SuiteRun = {
      name: suite.name,
      status: outcome.status,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      loadAverage: { start, end: loadAverage() },
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
    };
    runs.push(run);
    measurements.push(...outcome.measurements);
    options.onProgress?.({ suite: suite.name, phase: 'end', run });
  }
  return { runs, measurements };
}

function runOne(suite: SuiteEntry, options: RunSuitesOptions): Promise<{ status: SuiteRun['status']; measurements: readonly Measurement[]; error?: string }> {
  return new Promise((resolve) => {
    // Its own process group (detached), so that a timeout also ends the processes the suite started.
    const child = spawn(process.execPath, ['--expose-gc', options.childScript ?? defaultChildScript(), suite.modulePath, ...(options.quick ? ['--quick'] : [])], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    current = child.pid;
    let message: SuiteChildMessage | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid);
    }, options.timeoutMs);
    child.on('message', (m: SuiteChildMessage) => {
      message = m;
    });
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      current = undefined;
      // Whatever the suite left running in its group goes with it.
      if (child.pid !== undefined) killGroup(child.pid);
      if (timedOut) {
        resolve({ status: 'timed-out', measurements: [], error: `stopped after ${Math.round(options.timeoutMs / 1000)} s` });
      } else if (message?.type === 'measurements' && code === 0) {
        resolve({ status: 'ok', measurements: message.measurements });
      } else {
        const why = message?.type === 'error' ? message.message : (spawnError?.message ?? `exited with ${code ?? signal ?? 'nothing'}`);
        resolve({ status: 'failed', measurements: [], error: why });
      }
    };
    child.once('error', (error) => finish(null, null, error));
    child.once('exit', (code, signal) => finish(code, signal));
  });
}
