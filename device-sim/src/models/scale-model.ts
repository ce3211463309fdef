import { clamp, normal, roundTo, type Random } from '../random/random.js';
import { MS_PER_DAY } from '../time/local-time.js';
import type { Reading } from './reading.js';
import { SpotMeasurementModel } from './spot-measurement-model.js';
import type { SubjectProfile } from './subject-profile.js';

/**
 * A bathroom scale used after waking on most days: a slow random walk of body weight (about 50 g per day)
 * plus day-to-day fluctuation of fluids, at the scale's 0.1 kg resolution.
 */
export class ScaleModel extends SpotMeasurementModel {
  readonly kind = 'scale' as const;
  private trendKg: number;
  private trendAtMs: number | undefined;

  constructor(profile: SubjectProfile, random: Random) {
    super(profile, random, [{ label: 'morning', hour: 0.3, from: 'wake', jitterMinutes: 15, probability: 0.85 }]);
    this.trendKg = profile.weightKg;
  }

  protected measure(atMs: number): Reading[] {
    if (this.trendAtMs !== undefined) {
      const days = Math.max(0, atMs - this.trendAtMs) / MS_PER_DAY;
      this.trendKg += normal(this.random, 0, 0.05 * Math.sqrt(days));
    }
    this.trendAtMs = atMs;
    const kg = clamp(normal(this.random, this.trendKg, 0.3), 30, 250);
    return [{ t: atMs, type: 'weight', data: { kg: roundTo(kg, 1) } }];
  }
}
