import { describe, expect, it } from 'vitest';
import { createRandom } from '../random/random.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../time/local-time.js';
import { isAsleep } from './circadian-rhythm.js';
import type { Reading } from './reading.js';
import { createSubjectProfile } from './subject-profile.js';
import { WearableModel } from './wearable-model.js';

const START = Date.UTC(2026, 0, 5, 0, 0, 0);

function runDays(seed: number, days: number, stepMs = 5 * 60_000): { readings: Reading[]; model: WearableModel } {
  const random = createRandom(seed);
  const profile = createSubjectProfile(random.fork());
  const model = new WearableModel(profile, random.fork());
  const readings: Reading[] = [];
  for (let t = START; t <= START + days * MS_PER_DAY; t += stepMs) readings.push(...model.advance(t));
  return { readings, model };
}

describe('WearableModel', () => {
  it('reports heart rate each minute, SpO2, temperature and steps, in time order, starting with a boot status', () => {
    const { readings } = runDays(1, 1);
    expect(readings[0]?.type).toBe('device_status');
    expect(readings[0]?.data['note']).toBe('boot');
    const counts = new Map<string, number>();
    for (const r of readings) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    expect(counts.get('heart_rate')).toBe(1440);
    expect(counts.get('spo2')).toBe(144);
    expect(counts.get('body_temp')).toBe(96);
    expect(counts.get('steps')).toBe(96);
    expect(counts.get('device_status')).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < readings.length; i++) expect(readings[i]!.t).toBeGreaterThanOrEqual(readings[i - 1]!.t);
  });

  it('keeps every value in its physiological range and unit', () => {
    const { readings } = runDays(2, 3);
    for (const r of readings) {
      if (r.type === 'heart_rate') {
        expect(Number.isInteger(r.data['bpm'])).toBe(true);
        expect(r.data['bpm']).toBeGreaterThanOrEqual(35);
        expect(r.data['bpm']).toBeLessThanOrEqual(210);
      } else if (r.type === 'spo2') {
        expect(r.data['pct']).toBeGreaterThanOrEqual(80);
        expect(r.data['pct']).toBeLessThanOrEqual(100);
      } else if (r.type === 'body_temp') {
        expect(r.data['celsius']).toBeGreaterThan(35);
        expect(r.data['celsius']).toBeLessThan(39.5);
      } else if (r.type === 'steps') {
        expect(r.data['interval_s']).toBe(900);
        expect(Number.isInteger(r.data['count'])).toBe(true);
      }
    }
  });

  it('has a day-night rhythm: lower heart rate and no steps in sleep, activity bouts by day', () => {
    const random = createRandom(3);
    const profile = createSubjectProfile(random.fork());
    const model = new WearableModel(profile, random.fork());
    const asleep: number[] = [];
    const awake: number[] = [];
    let sleepSteps = 0;
    let daySteps = 0;
    for (let t = START; t <= START + 7 * MS_PER_DAY; t += 60_000) {
      for (const r of model.advance(t)) {
        if (r.type === 'heart_rate') (isAsleep(profile, r.t) ? asleep : awake).push(Number(r.data['bpm']));
        // A steps interval counts the 15 minutes before its timestamp.
        if (r.type === 'steps') {
          const whole = isAsleep(profile, r.t) && isAsleep(profile, r.t - 15 * 60_000);
          if (whole) sleepSteps += Number(r.data['count']);
          else daySteps += Number(r.data['count']);
        }
      }
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(asleep)).toBeLessThan(mean(awake) - 8);
    expect(Math.max(...awake)).toBeGreaterThan(profile.restingHeartRate + 30);
    expect(sleepSteps).toBe(0);
    expect(daySteps / 7).toBeGreaterThan(2000);
    expect(daySteps / 7).toBeLessThan(25000);
  });

  it('is reproducible from its seed', () => {
    expect(runDays(4, 1).readings).toEqual(runDays(4, 1).readings);
    expect(runDays(4, 1).readings).not.toEqual(runDays(5, 1).readings);
  });

  it('samples on demand in load mode, rotating reading types', () => {
    const { model } = runDays(6, 0);
    const types = new Set(Array.from({ length: 10 }, (_, i) => model.sample(START + MS_PER_HOUR + i).type));
    expect(types).toEqual(new Set(['heart_rate', 'spo2', 'body_temp', 'steps']));
  });
});
