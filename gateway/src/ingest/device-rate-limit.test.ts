import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimerPort } from '../checkpoints/timer-port.js';
import { DeviceRateLimit } from './device-rate-limit.js';

/** A manual monotonic clock and timers that fire when it is advanced. */
function manualTime(): { now: () => number; advance: (ms: number) => void; timers: TimerPort; pending: () => number } {
  let t = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  const port: TimerPort = {
    setTimeout: (run, ms) => {
      nextId += 1;
      timers.set(nextId, { at: t + ms, run });
      return nextId;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
  };
  const advance = (ms: number): void => {
    const until = t + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      timers.delete(due[0]);
      t = Math.max(t, due[1].at);
      due[1].run();
    }
    t = until;
  };
  return { now: () => t, advance, timers: port, pending: () => timers.size };
}

describe('DeviceRateLimit', () => {
  it('lets a burst through at once, then delays (never drops) the rest in arrival order at the rate', () => {
    const time = manualTime();
    const limit = new DeviceRateLimit({ ratePerSecond: 10, burst: 5, now: time.now, timers: time.timers });
    const ran: number[] = [];
    let immediate = 0;
    for (let i = 0; i < 25; i++) {
      if (limit.tryNow('dev-1')) {
        immediate += 1;
        ran.push(i);
      } else expect(limit.enqueue('dev-1', () => ran.push(i))).toBe(true);
    }
    expect(immediate).toBe(5);
    expect(limit.waiting).toBe(20);
    time.advance(1000);
    expect(ran).toHaveLength(15);
    time.advance(1000);
    expect(ran).toEqual(Array.from({ length: 25 }, (_, i) => i));
    // Another device was never affected.
    expect(limit.tryNow('dev-2')).toBe(true);
  });

  it('refuses a message that would wait longer than maxDelayMs, and runs nothing after close', () => {
    const time = manualTime();
    const limit = new DeviceRateLimit({ ratePerSecond: 1, burst: 1, maxDelayMs: 3000, now: time.now, timers: time.timers });
    expect(limit.tryNow('d')).toBe(true);
    let ran = 0;
    expect(limit.enqueue('d', () => (ran += 1))).toBe(true);
    expect(limit.enqueue('d', () => (ran += 1))).toBe(true);
    expect(limit.enqueue('d', () => (ran += 1))).toBe(true);
    expect(limit.enqueue('d', () => (ran += 1))).toBe(false);
    time.advance(1000);
    expect(ran).toBe(1);
    limit.close();
    time.advance(10_000);
    expect(ran).toBe(1);
    expect(time.pending()).toBe(0);
    expect(limit.enqueue('d', () => (ran += 1))).toBe(false);
  });

  it('is off at rate 0', () => {
    const limit = new DeviceRateLimit({ ratePerSecond: 0 });
    expect(limit.enabled).toBe(false);
    for (let i = 0; i < 1000; i++) expect(limit.tryNow('d')).toBe(true);
  });

  it('never lets a device exceed burst + rate x time, and keeps each device in order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat(300)), { maxLength: 300 }),
        (rate, burst, arrivals) => {
          const time = manualTime();
          const limit = new DeviceRateLimit({ ratePerSecond: rate, burst, maxDelayMs: 5000, now: time.now, timers: time.timers });
          const runs = new Map<string, { seq: number; at: number }[]>();
          const counters = new Map<string, number>();
          for (const [device, gap] of arrivals) {
            time.advance(gap);
            const seq = (counters.get(device) ?? 0) + 1;
            counters.set(device, seq);
            const run = (): void => {
              runs.set(device, [...(runs.get(device) ?? []), { seq, at: time.now() }]);
            };
            if (limit.tryNow(device)) run();
            else limit.enqueue(device, run);
          }
          time.advance(60_000);
          for (const list of runs.values()) {
            const seqs = list.map((r) => r.seq);
            expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
            // In any window of w ms at most burst + rate * w / 1000 messages run (GCRA), with 1 ms of slack.
            for (let i = 0; i < list.length; i++) {
              for (let j = i; j < list.length; j++) {
                const w = (list[j]?.at ?? 0) - (list[i]?.at ?? 0);
                expect(j - i + 1).toBeLessThanOrEqual(burst + Math.floor(((w + 1) * rate) / 1000));
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
