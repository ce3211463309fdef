/**
 * Just enough of the Prometheus text exposition format (0.0.4) to read a few series from the gateway's
 * `GET /metrics`: `name{label="value",...} number`. Comments, malformed lines and values that are not
 * numbers are skipped, never thrown on.
 * Attacker-controlled (mildly): the text comes over HTTP from a local port, so it is parsed defensively, with
 * bounded lines, and has a property test.
 */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const MAX_LINE = 8192;
const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{([^}]*)\})?[ \t]+(\S+)/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetricSamples(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.length > MAX_LINE || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const value = parseValue(match[3] ?? '');
    if (value === null) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      const key = label[1];
      if (key !== undefined) labels[key] = (label[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1] ?? '', labels, value });
  }
  return samples;
}

function parseValue(text: string): number | null {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  return Number.isNaN(value) || text === '' ? null : value;
}

/** The sum of every sample of `name` whose labels include `where`; 0 when there is none. */
export function sumMetric(samples: readonly MetricSample[], name: string, where: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(where).every(([key, value]) => sample.labels[key] === value)) sum += sample.value;
  }
  return sum;
}
