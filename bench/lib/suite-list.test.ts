import { describe, expect, it } from 'vitest';
import { listSuites, orderSuites, selectSuites } from './suite-list.js';

describe('the suites the runner runs', () => {
  it('lists every top-level suite of bench/suites, quick ones first, helpers in sub-folders left out', () => {
    const names = listSuites().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['ed25519-verify', 'tree', 'log-store', 'anchor', 'ingest', 'sponsor', 'memory']));
    expect(names.indexOf('ed25519-verify')).toBe(0);
    expect(names.every((n) => !n.includes('/'))).toBe(true);
    expect(listSuites().every((s) => s.modulePath.endsWith(`dist/suites/${s.name}.js`))).toBe(true);
  });

  it('orders unknown suites after the known ones, by name', () => {
    expect(orderSuites(['zeta', 'memory', 'alpha', 'tree', 'ed25519-verify'])).toEqual(['ed25519-verify', 'tree', 'memory', 'alpha', 'zeta']);
  });

  it('selects with --only in run order, and refuses unknown names', () => {
    const all = listSuites();
    expect(selectSuites(all, ['memory', 'tree']).map((s) => s.name)).toEqual(['tree', 'memory']);
    expect(selectSuites(all, undefined)).toHaveLength(all.length);
    expect(() => selectSuites(all, ['tree', 'nope'])).toThrow(/unknown suite nope/);
  });
});
