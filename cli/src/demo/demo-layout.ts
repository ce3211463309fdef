/**
 * The output directory of a demo run (`demo-out/` by default) and how it is made ready: a fresh gateway
 * data directory and device state every run, the previous run's files replaced. A directory that holds
 * anything else is refused, never emptied: `--out` might name a user's own folder by mistake.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DemoError } from './demo-error.js';

export interface DemoLayout {
  readonly root: string;
  readonly bundle: string;
  readonly logs: string;
  readonly gatewayData: string;
  readonly simState: string;
  /** The anchoring key (anvil's published development key), mode 0600. */
  readonly anchorKey: string;
  readonly redisData: string;
  /** Which processes this run started (pid and command line), so that a later run can find leftovers. */
  readonly processTable: string;
  readonly marker: string;
}

const MARKER = '.trialgate-demo';
/** What a run writes; only these are removed before the next run. */
const RUN_ENTRIES = ['bundle.json', 'logs', 'gateway-data', 'sim-state', 'anchor.key', 'redis', 'processes.json'];

export function demoLayout(root: string): DemoLayout {
  return {
    root,
    bundle: path.join(root, 'bundle.json'),
    logs: path.join(root, 'logs'),
    gatewayData: path.join(root, 'gateway-data'),
    simState: path.join(root, 'sim-state'),
    anchorKey: path.join(root, 'anchor.key'),
    redisData: path.join(root, 'redis'),
    processTable: path.join(root, 'processes.json'),
    marker: path.join(root, MARKER),
  };
}

export function logFile(layout: DemoLayout, part: string): string {
  return path.join(layout.logs, `${part}.log`);
}

/** Clears the previous run's files (only those), creates the directories. Returns whether a run was there. */
export function prepareOutDir(layout: DemoLayout): { readonly replacedPreviousRun: boolean } {
  let replacedPreviousRun = false;
  if (existsSync(layout.root)) {
    if (!statSync(layout.root).isDirectory()) {
      throw new DemoError('E_DEMO_OUT_DIR', `${layout.root} is a file, not a directory: choose another --out`);
    }
    const present = readdirSync(layout.root);
    if (present.length > 0) {
      if (!present.includes(MARKER)) {
        throw new DemoError(
          'E_DEMO_OUT_DIR',
          `${layout.root} already holds files that are not from a demo run; choose another --out or empty it (nothing was changed)`,
        );
      }
      replacedPreviousRun = true;
      for (const entry of RUN_ENTRIES) rmSync(path.join(layout.root, entry), { recursive: true, force: true });
    }
  }
  mkdirSync(layout.logs, { recursive: true });
  mkdirSync(layout.gatewayData, { recursive: true, mode: 0o700 });
  mkdirSync(layout.redisData, { recursive: true });
  writeFileSync(layout.marker, 'This directory is written by `trialgate demo`; each run replaces its files.\n');
  return { replacedPreviousRun };
}
