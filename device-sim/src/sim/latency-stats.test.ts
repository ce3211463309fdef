import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './latency-stats.js';

describe('LatencyRecorder', () => {
  it('computes nearest-rank percentiles over every sample', () => {
    const recorder = new LatencyRecorder();
    for (let i = 100; i >= 1; i--) recorder.add(i);
    expect(recorder.summary()).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
  });

  it('reports zeros when nothing was measured, and grows past its first buffer', () => {
    expect(new LatencyRecorder().summary().count).toBe(0);
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 5000; i++) recorder.add(1);
    expect(recorder.summary()).toMatchObject({ count: 5000, p99: 1, max: 1 });
  });
});
