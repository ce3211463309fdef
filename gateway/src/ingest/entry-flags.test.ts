import { describe, expect, it } from 'vitest';
import { clockSkewFlag, entryFlags } from './entry-flags.js';
import { ManualClock, testDevice } from './ingest-test-kit.js';
import { KeyedSequencer } from './keyed-sequencer.js';

describe('entry flags', () => {
  it('flag a device clock beyond the tolerance either way, as a pure function of the entry', () => {
    expect(clockSkewFlag(1_000_000, 1_000_000 + 300_000, 300_000)).toBeNull();
    expect(clockSkewFlag(1_000_000, 1_000_000 + 300_001, 300_000)?.message).toMatch(/300 s behind/);
    expect(clockSkewFlag(2_000_000, 1_000_000, 300_000)?.message).toMatch(/ahead of/);
    const clock = new ManualClock();
    const device = testDevice('hr-1', clock);
    const entry = { receivedAtMs: clock.now() + 3_600_000, transport: 'mqtt' as const, deviceId: 'hr-1', contentType: 'cose-sign1' as const, original: device.message(1, { bpm: 400 }) };
    expect(entryFlags(entry, { clockSkewToleranceMs: 300_000 }).map((f) => f.code)).toEqual(['F_IMPLAUSIBLE_VALUE', 'F_CLOCK_SKEW']);
    expect(entryFlags(entry, { clockSkewToleranceMs: 7_200_000 }).map((f) => f.code)).toEqual(['F_IMPLAUSIBLE_VALUE']);
    expect(entryFlags({ ...entry, contentType: 'registry' }, { clockSkewToleranceMs: 0 })).toEqual([]);
    expect(entryFlags({ ...entry, original: new Uint8Array([1, 2]) }, { clockSkewToleranceMs: 0 })).toEqual([]);
  });
});

describe('KeyedSequencer', () => {
  it('lets a key\'s tickets go in order, other keys independently, and forgets idle keys', async () => {
    const sequencer = new KeyedSequencer();
    const order: string[] = [];
    const a1 = sequencer.enter('a');
    const a2 = sequencer.enter('a');
    const b1 = sequencer.enter('b');
    void a2.ready.then(() => order.push('a2'));
    void b1.ready.then(() => order.push('b1'));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['b1']);
    a1.release();
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['b1', 'a2']);
    a2.release();
    b1.release();
    await new Promise((r) => setTimeout(r, 5));
    expect(sequencer.activeKeys).toBe(0);
  });
});
