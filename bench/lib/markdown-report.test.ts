import { describe, expect, it } from 'vitest';
import { BENCH_RESULTS_FORMAT, type BenchResults } from './bench-results.js';
import { formatNumber, formatReport, splitCurves } from './markdown-report.js';
import type { Measurement } from './measurement.js';

const machine = { host: 'box-1', cpuModel: 'AMD EPYC', cores: 2, memoryGiB: 23.5, node: 'v20.20.2', platform: 'linux 6.1' };
const m = (suite: string, name: string, value: number, unit: string, params?: Measurement['params'], note?: string): Measurement => ({
  suite,
  name,
  value,
  unit,
  ...(params === undefined ? {} : { params }),
  ...(note === undefined ? {} : { note }),
});

function results(measurements: Measurement[], suites: BenchResults['suites']): BenchResults {
  return {
    format: BENCH_RESULTS_FORMAT,
    startedAt: '2026-11-26T06:00:00.000Z',
    finishedAt: '2026-11-26T06:10:00.000Z',
    quick: false,
    machine,
    loadAverage: { start: [0.5, 0.6, 0.7], end: [1.25, 0.9, 0.8] },
    suites,
    measurements,
  };
}

const ok = (name: string, seconds = 3): BenchResults['suites'][number] => ({ name, status: 'ok', seconds, loadAverage: { start: [0.5, 0, 0], end: [0.7, 0, 0] } });

describe('the markdown report', () => {
  it('formats numbers with separators and sensible precision', () => {
    expect([1234567, 12.3456, 0.12345, 100.4, -3].map(formatNumber)).toEqual(['1,234,567', '12.35', '0.123', '100', '-3']);
  });

  it('turns a measurement taken at three or more log sizes into a curve, one row per size', () => {
    const rows = [0, 1_000_000, 2_000_000].flatMap((entries) => [m('memory', 'RSS', 200 + entries / 1e6, 'MiB', { entries }), m('memory', 'heap', 20, 'MiB', { entries })]);
    const { curve, others } = splitCurves([...rows, m('memory', 'append rate', 20000, 'entries/s', { entries: 5 })]);
    expect(curve?.names).toEqual(['RSS', 'heap']);
    expect([...(curve?.rows.keys() ?? [])]).toEqual([0, 1_000_000, 2_000_000]);
    expect(others.map((r) => r.name)).toEqual(['append rate']);
    expect(splitCurves(rows.slice(0, 4)).curve).toBeUndefined();
  });

  it('names the machine and its load, each suite with its time, failures, a table per suite and the curve', () => {
    const curve = [0, 1_000_000, 2_000_000].map((entries) => m('memory', 'resident memory (RSS)', 201.5, 'MiB', { entries }));
    const text = formatReport(
      results(
        [m('tree', 'leafHash | SHA-256', 1_234_567, 'ops/s', { entryBytes: 150 }, 'one core'), ...curve],
        [ok('tree', 12.34), ok('memory'), { name: 'ingest', status: 'timed-out', seconds: 240, loadAverage: { start: [1, 1, 1], end: [2, 2, 2] }, error: 'stopped after 240 s\nmore' }],
      ),
    );
    expect(text).toContain('Machine: 2 cores (AMD EPYC), 23.5 GiB, Node v20.20.2, linux 6.1, host `box-1`; load average (1 / 5 / 15 min) 0.50 / 0.60 / 0.70 at the start, 1.25 / 0.90 / 0.80 at the end.');
    expect(text).toContain('tree 12.34 s (load 0.5 to 0.7)');
    expect(text).toContain('ingest 240 s (**timed-out**)');
    expect(text).toContain('| leafHash \\| SHA-256 | 1,234,567 | ops/s | entryBytes 150 | one core |');
    expect(text).toContain('| entries | resident memory (RSS) (MiB) |');
    expect(text).toContain('| 2,000,000 | 202 |');
    expect(text).toContain('#### ingest\n\n**timed-out**: stopped after 240 s\n');
  });
});
