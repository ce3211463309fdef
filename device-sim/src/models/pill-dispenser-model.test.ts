import { describe, expect, it } from 'vitest';
import { parseGs1KitId } from '../gs1/gs1-kit-id.js';
import { createRandom } from '../random/random.js';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../time/local-time.js';
import { PACK_CAPACITY, PillDispenserModel } from './pill-dispenser-model.js';
import type { Reading } from './reading.js';
import { createSubjectProfile, DEFAULT_ADHERENCE } from './subject-profile.js';

const START = Date.UTC(2026, 0, 5, 3, 0, 0);
const DAYS = 140;

function run(seed: number, remindAfterMinutes?: number): { readings: Reading[]; model: PillDispenserModel } {
  const random = createRandom(seed);
  const profile = { ...createSubjectProfile(random.fork()), adherence: DEFAULT_ADHERENCE };
  const model = new PillDispenserModel('pill_dispenser', profile, random.fork());
  const readings: Reading[] = [];
  const step = 10 * MS_PER_MINUTE;
  for (let t = START; t <= START + DAYS * MS_PER_DAY; t += step) {
    readings.push(...model.advance(t));
    if (remindAfterMinutes !== undefined) {
      // The gateway reminds whenever a dose scheduled at 08:00 or 20:00 UTC is not yet taken after N minutes.
      const minuteOfDay = ((t % MS_PER_DAY) / MS_PER_MINUTE) | 0;
      if (minuteOfDay === 8 * 60 + remindAfterMinutes || minuteOfDay === 20 * 60 + remindAfterMinutes) {
        const scheduled = t - remindAfterMinutes * MS_PER_MINUTE;
        const taken = readings.some((r) => r.data['event'] === 'taken' && r.data['scheduled'] === scheduled);
        if (!taken) model.onDownlink({ type: 'reminder', t, data: { scheduled } }, t);
      }
    }
  }
  return { readings, model };
}

describe('PillDispenserModel', () => {
  it('follows the schedule with realistic adherence (fixed seed)', () => {
    const { readings, model } = run(11);
    const doses = DAYS * 2;
    const taken = readings.filter((r) => r.data['event'] === 'taken');
    const missed = readings.filter((r) => r.data['event'] === 'missed');
    // Every scheduled dose ends as exactly one of taken or missed (the last window may still be open).
    expect(taken.length + missed.length).toBeGreaterThanOrEqual(doses - 1);
    expect(taken.length + missed.length).toBeLessThanOrEqual(doses);
    const onTime = taken.filter((r) => r.t - Number(r.data['scheduled']) < 30 * MS_PER_MINUTE).length;
    expect(onTime / doses).toBeGreaterThan(0.68);
    expect(onTime / doses).toBeLessThan(0.82);
    expect((taken.length - onTime) / doses).toBeGreaterThan(0.1);
    expect((taken.length - onTime) / doses).toBeLessThan(0.21);
    expect(missed.length / doses).toBeGreaterThan(0.05);
    expect(missed.length / doses).toBeLessThan(0.15);
    expect(model.tally.taken).toBe(taken.length);
    for (const r of [...taken, ...missed]) {
      const lateness = r.t - Number(r.data['scheduled']);
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThanOrEqual(240 * MS_PER_MINUTE);
    }
    for (const r of missed) expect(r.t - Number(r.data['scheduled'])).toBe(240 * MS_PER_MINUTE);
  });

  it('reports compartments opened without a dose, and loads a new pack with a GS1 kit id every 14 days', () => {
    const { readings } = run(12);
    const opened = readings.filter((r) => r.data['event'] === 'compartment_opened');
    expect(opened.length).toBeGreaterThan(2);
    expect(opened.length).toBeLessThan(20);
    const loads = readings.filter((r) => r.data['event'] === 'pack_loaded');
    // One pack at boot, then one before every 28th dose: 280 doses make 10 packs.
    expect(loads.length).toBe((DAYS * 2) / PACK_CAPACITY);
    const kits = loads.map((r) => String(r.data['kit']));
    for (const kit of kits) expect(parseGs1KitId(kit)).toBeDefined();
    expect(new Set(kits).size).toBe(kits.length);
    for (const r of readings.filter((x) => x.data['slot'] !== undefined)) {
      expect(r.data['slot']).toBeGreaterThanOrEqual(1);
      expect(r.data['slot']).toBeLessThanOrEqual(PACK_CAPACITY);
    }
    for (let i = 1; i < readings.length; i++) expect(readings[i]!.t).toBeGreaterThanOrEqual(readings[i - 1]!.t);
  });

  it('takes more doses when the gateway sends reminders', () => {
    const without = run(13);
    const withReminders = run(13, 60);
    const missedWithout = without.readings.filter((r) => r.data['event'] === 'missed').length;
    const missedWith = withReminders.readings.filter((r) => r.data['event'] === 'missed').length;
    expect(withReminders.model.tally.remindersReceived).toBeGreaterThan(30);
    expect(withReminders.model.tally.takenAfterReminder).toBeGreaterThan(10);
    expect(missedWith).toBeLessThan(missedWithout * 0.75);
  });

  it('ignores reminders for doses that are not open', () => {
    const random = createRandom(14);
    const model = new PillDispenserModel('blister_pack', createSubjectProfile(random.fork()), random.fork());
    model.advance(START);
    model.onDownlink({ type: 'reminder', t: START, data: { scheduled: START + 5 * MS_PER_HOUR } }, START);
    model.onDownlink({ type: 'schedule', t: START, data: {} }, START);
    expect(model.tally.takenAfterReminder).toBe(0);
  });
});
