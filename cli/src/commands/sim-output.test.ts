import { describe, expect, it } from 'vitest';
import type { SimulationResult } from '@trialgate/device-sim';
import { formatSimProgress, formatSimSummary, parsePositiveInteger, parseRate, parseSeconds } from './sim-output.js';

const result: SimulationResult = {
  mode: 'load',
  devices: 200,
  elapsedMs: 20_000,
  produced: 100_000,
  delivered: 99_990,
  achievedRate: 4_999.5,
  offeredRate: 5_000,
  resent: 3,
  pending: 10,
  latency: { count: 99_990, p50: 1.234, p90: 5.5, p99: 21.25, max: 80, mean: 2 },
  connections: { connects: 201, failures: 2, disconnects: 1 },
  faults: { wrong_topic: 1 },
  notices: { E_SEQ_CONFLICT: 1 },
  downlink: { verified: 1, rejected: 0 },
  records: [],
};

describe('trialgate sim output', () => {
  it('prints the achieved rate and the PUBACK latency percentiles', () => {
    const text = formatSimSummary(result);
    expect(text).toContain('achieved rate:  4999.5 acknowledged/s (offered 5000/s)');
    expect(text).toContain('PUBACK latency: p50 1.23 ms  p90 5.50 ms  p99 21.3 ms  max 80.0 ms  (n=99990)');
    expect(text).toContain('readings:       100000 produced, 99990 acknowledged, 10 pending');
    expect(text).toContain('faults:         wrong_topic 1');
    expect(text).toContain('notices:        E_SEQ_CONFLICT 1');
  });

  it('prints a progress line', () => {
    expect(
      formatSimProgress({ elapsedMs: 5_000, produced: 10, delivered: 8, recentRate: 1.6, devicesOnline: 2, devices: 3, pending: 2, faultsInjected: 0 }),
    ).toBe('[   5 s] 2/3 online, 8 acked of 10 (2/s), 2 pending');
  });

  it('parses rates, counts and durations, refusing nonsense', () => {
    expect(parseRate('500/s')).toBe(500);
    expect(parseRate('12.5')).toBe(12.5);
    expect(() => parseRate('fast')).toThrow(RangeError);
    expect(() => parseRate('0/s')).toThrow(RangeError);
    expect(parsePositiveInteger('--devices', '20')).toBe(20);
    expect(() => parsePositiveInteger('--devices', '2.5')).toThrow(RangeError);
    expect(parseSeconds('--duration', '1.5')).toBe(1_500);
    expect(parseSeconds('--duration', '30s')).toBe(30_000);
    expect(() => parseSeconds('--duration', '-1')).toThrow(RangeError);
  });
});
