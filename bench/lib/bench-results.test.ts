import { describe, expect, it } from 'vitest';
import { resultsFileName } from './bench-results.js';

const machine = { host: 'vm', cpuModel: 'x', cores: 2, memoryGiB: 1, node: 'v20', platform: 'linux' };

describe('results file names', () => {
  it('are <date>-<host>.json for a full run, marked for quick and partial runs, with a safe host name', () => {
    expect(resultsFileName({ startedAt: '2026-11-26T06:00:00.000Z', quick: false, machine })).toBe('2026-11-26-vm.json');
    expect(resultsFileName({ startedAt: '2026-11-26T06:00:00.000Z', quick: true, machine })).toBe('2026-11-26-vm-quick.json');
    expect(resultsFileName({ startedAt: '2026-11-26T06:00:00.000Z', quick: false, only: ['tree'], machine })).toBe('2026-11-26-vm-partial.json');
    expect(resultsFileName({ startedAt: '2026-11-26T06:00:00.000Z', quick: true, only: ['tree'], machine })).toBe('2026-11-26-vm-quick-partial.json');
    expect(resultsFileName({ startedAt: '2026-11-26T06:00:00.000Z', quick: false, machine: { ...machine, host: '../a b/c' } })).toBe('2026-11-26-..-a-b-c.json');
    expect(resultsFileName({ startedAt: '2026-11-26T06:00:00.000Z', quick: false, machine: { ...machine, host: '///' } })).toBe('2026-11-26-host.json');
  });
});
