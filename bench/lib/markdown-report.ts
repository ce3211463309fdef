import type { BenchResults } from './bench-results.js';
import type { Measurement } from './measurement.js';

/**
 * A run as markdown: the machine and how busy it was, then one table per suite. Rows that form a curve (one
 * name measured at three or more log sizes, `params.entries`) are shown as one table with a row per size
 * and a column per measurement, so that memory against log size reads at a glance.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function formatParams(params: Measurement['params']): string {
  if (params === undefined) return '';
  return Object.entries(params)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? formatNumber(v) : v}`)
    .join(', ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

interface Curve {
  readonly names: readonly string[];
  readonly rows: ReadonlyMap<number, ReadonlyMap<string, Measurement>>;
}

/** The curves of a suite's rows (see above), and the rows that are not part of one. */
export function splitCurves(rows: readonly Measurement[]): { readonly curve?: Curve; readonly others: readonly Measurement[] } {
  const byName = new Map<string, Measurement[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const curveNames = [...byName].filter(([, list]) => list.length >= 3 && list.every((r) => typeof r.params?.['entries'] === 'number')).map(([name]) => name);
  if (curveNames.length === 0) return { others: rows };
  const table = new Map<number, Map<string, Measurement>>();
  for (const name of curveNames) {
    for (const r of byName.get(name) ?? []) {
      const entries = r.params?.['entries'] as number;
      const row = table.get(entries) ?? new Map<string, Measurement>();
      row.set(name, r);
      table.set(entries, row);
    }
  }
  const sorted = new Map([...table].sort(([a], [b]) => a - b));
  return { curve: { names: curveNames, rows: sorted }, others: rows.filter((r) => !curveNames.includes(r.name)) };
}

export function machineLine(results: Pick<BenchResults, 'machine' | 'loadAverage'>): string {
  const m = results.machine;
  const load = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(' / ');
  return (
    `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, host \`${m.host}\`; ` +
    `load average (1 / 5 / 15 min) ${load(results.loadAverage.start)} at the start, ${load(results.loadAverage.end)} at the end`
  );
}

export function formatReport(results: BenchResults): string {
  const lines: string[] = [];
  const kind = results.quick ? 'quick run (`--quick`: smaller counts)' : results.only === undefined ? 'full run' : `run of ${results.only.join(', ')}`;
  lines.push(`Measured ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${kind}.`, '');
  lines.push(`Machine: ${machineLine(results)}.`, '');
  lines.push(
    `Suites: ${results.suites.map((s) => `${s.name} ${formatNumber(s.seconds)} s${s.status === 'ok' ? '' : ` (**${s.status}**)`} (load ${s.loadAverage.start[0].toFixed(1)} to ${s.loadAverage.end[0].toFixed(1)})`).join(', ')}.`,
  );
  for (const suite of results.suites) {
    lines.push('', `#### ${suite.name}`, '');
    if (suite.status !== 'ok') {
      lines.push(`**${suite.status}**: ${cell((suite.error ?? '').split('\n')[0] ?? '')}`);
      continue;
    }
    const rows = results.measurements.filter((m) => m.suite === suite.name);
    const { curve, others } = splitCurves(rows);
    if (curve !== undefined) {
      const units = curve.names.map((name) => [...curve.rows.values()].find((r) => r.has(name))?.get(name)?.unit ?? '');
      lines.push(`| entries | ${curve.names.map((n, i) => `${cell(n)} (${units[i] ?? ''})`).join(' | ')} |`);
      lines.push(`|---:|${curve.names.map(() => '---:').join('|')}|`);
      for (const [entries, row] of curve.rows) {
        lines.push(`| ${formatNumber(entries)} | ${curve.names.map((n) => { const m = row.get(n); return m === undefined ? '' : formatNumber(m.value); }).join(' | ')} |`);
      }
      if (others.length > 0) lines.push('');
    }
    if (others.length > 0) {
      lines.push('| measurement | value | unit | parameters | note |', '|---|---:|---|---|---|');
      for (const m of others) lines.push(`| ${cell(m.name)} | ${formatNumber(m.value)} | ${cell(m.unit)} | ${cell(formatParams(m.params))} | ${cell(m.note ?? '')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
