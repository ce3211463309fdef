import { chance, clamp, normal, roundTo, uniform, type Random } from '../random/random.js';

import type { Reading } from './reading.js';
import { SpotMeasurementModel } from './spot-measurement-model.js';
import type { SubjectProfile } from './subject-profile.js';

/**
 * A finger-stick glucose meter: fasting after waking, before lunch and dinner, at bedtime, and now and then
 * a post-meal check. Levels follow the subject's fasting baseline, higher after meals.
 */
export class GlucoseMeterModel extends SpotMeasurementModel {
  readonly kind = 'glucose_meter' as const;

  constructor(profile: SubjectProfile, random: Random) {
    super(profile, random, [
      { label: 'fasting', hour: 0.25, from: 'wake', jitterMinutes: 10, probability: 0.92 },
      { label: 'pre-lunch', hour: 12.25, from: 'clock', jitterMinutes: 25, probability: 0.7 },
      { label: 'post-lunch', hour: 14.5, from: 'clock', jitterMinutes: 20, probability: 0.2 },
      { label: 'pre-dinner', hour: 18.5, from: 'clock', jitterMinutes: 30, probability: 0.7 },
      { label: 'bedtime', hour: 0.5, from: 'sleep', jitterMinutes: 20, probability: 0.5 },
    ]);
  }

  protected measure(atMs: number, label: string): Reading[] {
    const base = this.profile.fastingGlucose;
    const mean =
      label === 'fasting'
        ? base
        : label === 'post-lunch'
          ? base + uniform(this.random, 35, 70)
          : label === 'bedtime'
            ? base + 20
            : base + 8;
    let mgDl = normal(this.random, mean, 9);
    // An occasional hypo or a forgotten snack shows up as an outlier.
    if (chance(this.random, 0.02)) mgDl = chance(this.random, 0.5) ? uniform(this.random, 55, 68) : mgDl + 60;
    return [{ t: atMs, type: 'glucose', data: { mg_dl: roundTo(clamp(mgDl, 40, 400), 0) } }];
  }
}
