import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectionRateLimit } from './connection-rate-limit.js';

function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('ConnectionRateLimit', () => {
  it('lets an address open 10 s worth at once, then its rate, and other addresses are not affected', () => {
    const clock = manualClock();
    const limit = new ConnectionRateLimit({ ratePerSecond: 5, maxConnecting: 0, now: clock.now });
    const burst = Array.from({ length: 60 }, () => limit.admit('10.0.0.9'));
    expect(burst.filter((a) => a.admitted)).toHaveLength(50);
    expect(burst.at(-1)).toEqual({ admitted: false, reason: 'rate' });
    expect(limit.admit('10.0.0.10').admitted).toBe(true);
    clock.advance(1000);
    const next = Array.from({ length: 10 }, () => limit.admit('10.0.0.9'));
    expect(next.filter((a) => a.admitted)).toHaveLength(5);
  });

  it('bounds connections not yet authenticated, and settling one makes room (once)', () => {
    const limit = new ConnectionRateLimit({ ratePerSecond: 0, maxConnecting: 3 });
    const admitted = [limit.admit('a'), limit.admit('b'), limit.admit('c')];
    expect(limit.admit('d')).toEqual({ admitted: false, reason: 'connecting' });
    const first = admitted[0];
    if (first?.admitted !== true) throw new Error('expected admitted');
    first.connection.settle();
    first.connection.settle();
    expect(limit.connecting).toBe(2);
    expect(limit.admit('d').admitted).toBe(true);
    expect(limit.admit('e').admitted).toBe(false);
  });

  it('applies only the global bound to connections of unknown address, and nothing with both limits off', () => {
    const limit = new ConnectionRateLimit({ ratePerSecond: 1, maxConnecting: 0 });
    for (let i = 0; i < 100; i++) expect(limit.admit(null).admitted).toBe(true);
    expect(limit.trackedAddresses).toBe(0);
  });

  it('keeps at most maxTrackedAddresses buckets whatever addresses arrive (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.nat(2000)), { maxLength: 400 }), (arrivals) => {
        const clock = manualClock();
        const limit = new ConnectionRateLimit({ ratePerSecond: 2, maxConnecting: 0, maxTrackedAddresses: 20, now: clock.now });
        for (const [address, gap] of arrivals) {
          clock.advance(gap);
          const admission = limit.admit(address);
          if (admission.admitted) admission.connection.settle();
          expect(limit.trackedAddresses).toBeLessThanOrEqual(20);
        }
        expect(limit.connecting).toBe(0);
      }),
    );
  });
});
