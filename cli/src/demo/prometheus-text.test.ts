import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMetricSamples, sumMetric } from './prometheus-text.js';

const EXPOSITION = `# HELP trialgate_mqtt_clients Devices connected over MQTT
# TYPE trialgate_mqtt_clients gauge
trialgate_mqtt_clients 20
trialgate_anchor_results_total{state="submitted"} 3
trialgate_anchor_results_total{state="final"} 2
trialgate_messages_received_total{transport="mqtt"} 499
trialgate_messages_received_total{transport="serial"} 1
trialgate_odd{label="a \\"quoted\\" value",other="x"} 1.5e3
trialgate_inf +Inf
not a sample line
`;

describe('parseMetricSamples', () => {
  it('reads names, labels (with escapes) and values; skips comments and malformed lines', () => {
    const samples = parseMetricSamples(EXPOSITION);
    expect(samples).toHaveLength(7);
    expect(samples.find((s) => s.name === 'trialgate_odd')).toEqual({
      name: 'trialgate_odd',
      labels: { label: 'a "quoted" value', other: 'x' },
      value: 1500,
    });
    expect(sumMetric(samples, 'trialgate_mqtt_clients')).toBe(20);
    expect(sumMetric(samples, 'trialgate_messages_received_total')).toBe(500);
    expect(sumMetric(samples, 'trialgate_anchor_results_total', { state: 'final' })).toBe(2);
    expect(sumMetric(samples, 'trialgate_absent')).toBe(0);
    expect(sumMetric(samples, 'trialgate_inf')).toBe(Number.POSITIVE_INFINITY);
  });

  it('never throws on arbitrary or mutated text, and every sample it returns is well formed', () => {
    const mutated = fc.tuple(fc.nat({ max: EXPOSITION.length }), fc.string({ maxLength: 20 })).map(([at, insert]) => EXPOSITION.slice(0, at) + insert + EXPOSITION.slice(at));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 500 }), mutated), (text) => {
        for (const sample of parseMetricSamples(text)) {
          expect(sample.name).toMatch(/^[A-Za-z_:][A-Za-z0-9_:]*$/);
          expect(Number.isNaN(sample.value)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });
});
