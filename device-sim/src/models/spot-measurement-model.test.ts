import { describe, expect, it } from 'vitest';
import { createRandom } from '../random/random.js';
import { localHourOfDay, MS_PER_DAY } from '../time/local-time.js';
import { BloodPressureCuffModel } from './blood-pressure-cuff-model.js';
import type { DeviceModel } from './device-model.js';
import { GlucoseMeterModel } from './glucose-meter-model.js';
import type { Reading } from './reading.js';
import { ScaleModel } from './scale-model.js';
import { createSubjectProfile, type SubjectProfile } from './subject-profile.js';

const START = Date.UTC(2026, 0, 5, 0, 0, 0);
const DAYS = 60;

function run(make: (profile: SubjectProfile, seed: number) => DeviceModel, seed: number, stepMs = 3_600_000): Reading[] {
  const random = createRandom(seed);
  const model = make(createSubjectProfile(random.fork()), seed);
  const out: Reading[] = [];
  for (let t = START; t <= START + DAYS * MS_PER_DAY; t += stepMs) out.push(...model.advance(t));
  for (let i = 1; i < out.length; i++) expect(out[i]!.t).toBeGreaterThanOrEqual(out[i - 1]!.t);
  return out.filter((r) => r.type !== 'device_status');
}

describe('spot-measurement devices', () => {
  it('a cuff measures about twice a day, morning and evening, with plausible pressures', () => {
    const readings = run((p, s) => new BloodPressureCuffModel(p, createRandom(s + 1)), 1);
    expect(readings.length / DAYS).toBeGreaterThan(1.6);
    expect(readings.length / DAYS).toBeLessThan(2.3);
    for (const r of readings) {
      expect(r.type).toBe('blood_pressure');
      const sys = Number(r.data['systolic_mmhg']);
      const dia = Number(r.data['diastolic_mmhg']);
      expect(sys).toBeGreaterThanOrEqual(85);
      expect(sys).toBeLessThanOrEqual(210);
      expect(dia).toBeLessThanOrEqual(sys - 20);
      expect(Number(r.data['map_mmhg'])).toBeGreaterThan(dia);
      expect(Number(r.data['map_mmhg'])).toBeLessThan(sys);
      const hour = localHourOfDay(r.t, 0);
      expect(hour > 4 && hour < 24).toBe(true);
    }
  });

  it('a glucose meter reads fasting in the morning and higher after meals', () => {
    const readings = run((p, s) => new GlucoseMeterModel(p, createRandom(s + 1)), 2);
    expect(readings.length / DAYS).toBeGreaterThan(2);
    expect(readings.length / DAYS).toBeLessThan(4);
    for (const r of readings) {
      expect(r.data['mg_dl']).toBeGreaterThanOrEqual(40);
      expect(r.data['mg_dl']).toBeLessThanOrEqual(400);
    }
    const morning = readings.filter((r) => localHourOfDay(r.t, 0) < 10).map((r) => Number(r.data['mg_dl']));
    const afternoon = readings.filter((r) => {
      const h = localHourOfDay(r.t, 0);
      return h > 14 && h < 15.5;
    }).map((r) => Number(r.data['mg_dl']));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(afternoon)).toBeGreaterThan(mean(morning) + 20);
  });

  it('a scale weighs most mornings, drifting slowly', () => {
    const readings = run((p, s) => new ScaleModel(p, createRandom(s + 1)), 3);
    expect(readings.length / DAYS).toBeGreaterThan(0.7);
    expect(readings.length / DAYS).toBeLessThanOrEqual(1);
    const kgs = readings.map((r) => Number(r.data['kg']));
    expect(Math.max(...kgs) - Math.min(...kgs)).toBeLessThan(6);
    for (const kg of kgs) expect(Math.round(kg * 10) / 10).toBe(kg);
  });

  it('does not depend on how often it is advanced', () => {
    const make = (p: SubjectProfile, s: number): DeviceModel => new ScaleModel(p, createRandom(s + 1));
    expect(run(make, 4, 3_600_000)).toEqual(run(make, 4, 600_000));
  });
});
