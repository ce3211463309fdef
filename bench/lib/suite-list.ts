import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The benchmark suites: every `bench/suites/<name>.ts` (one level; helpers live in sub-folders), run from its
 * build `bench/dist/suites/<name>.js`. Listed from the sources, so a suite removed from the sources is not run
 * from a stale build. The quick ones first, so that a failing build shows early; then by name.
 */
export interface SuiteEntry {
  readonly name: string;
  /** The built module, exporting `run: Suite`. */
  readonly modulePath: string;
}

/** The order a full run takes; suites not named here follow, by name. */
export const PREFERRED_ORDER: readonly string[] = ['ed25519-verify', 'tree', 'anchor', 'sponsor', 'ingest', 'log-store', 'memory'];

const here = path.dirname(fileURLToPath(import.meta.url));
/** bench/ (this module is bench/lib/x.ts under vitest, bench/dist/lib/x.js when built). */
export const BENCH_ROOT = path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');

export function listSuites(root: string = BENCH_ROOT): SuiteEntry[] {
  const names = fs
    .readdirSync(path.join(root, 'suites'), { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') && !d.name.endsWith('.d.ts'))
    .map((d) => d.name.slice(0, -'.ts'.length));
  return orderSuites(names).map((name) => ({ name, modulePath: path.join(root, 'dist', 'suites', `${name}.js`) }));
}

export function orderSuites(names: readonly string[]): string[] {
  const rank = (name: string): number => {
    const i = PREFERRED_ORDER.indexOf(name);
    return i < 0 ? PREFERRED_ORDER.length : i;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** `--only a,b`: those suites in run order; an unknown name is an error naming the known ones. */
export function selectSuites(all: readonly SuiteEntry[], only: readonly string[] | undefined): SuiteEntry[] {
  if (only === undefined) return [...all];
  const unknown = only.filter((name) => !all.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown suite ${unknown.join(', ')} (suites: ${all.map((s) => s.name).join(', ')})`);
  return all.filter((s) => only.includes(s.name));
}
