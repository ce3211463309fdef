import { chance, clamp, normal, roundTo, type Random } from '../random/random.js';
import { MS_PER_MINUTE } from '../time/local-time.js';
import type { Reading } from './reading.js';
import { SpotMeasurementModel } from './spot-measurement-model.js';
import type { SubjectProfile } from './subject-profile.js';

/**
 * An upper-arm cuff used morning and evening, as home blood-pressure protocols ask, with a morning surge,
 * visit-to-visit variability and a second reading two minutes later now and then.
 */
export class BloodPressureCuffModel extends SpotMeasurementModel {
  readonly kind = 'bp_cuff' as const;

  constructor(profile: SubjectProfile, random: Random) {
    super(profile, random, [
      { label: 'morning', hour: 0.5, from: 'wake', jitterMinutes: 20, probability: 0.9 },
      { label: 'evening', hour: 1, from: 'sleep', jitterMinutes: 30, probability: 0.85 },
    ]);
  }

  protected measure(atMs: number, label: string): Reading[] {
    const first = this.reading(atMs, label);
    return chance(this.random, 0.15) ? [first, this.reading(atMs + 2 * MS_PER_MINUTE, label)] : [first];
  }

  private reading(atMs: number, label: string): Reading {
    const surge = label === 'morning' ? 5 : 0;
    const systolic = clamp(normal(this.random, this.profile.systolicBaseline + surge, 8), 85, 210);
    const diastolic = clamp(normal(this.random, this.profile.diastolicBaseline + surge / 2, 5), 45, 130);
    const safeDiastolic = Math.min(diastolic, systolic - 20);
    const pulse = Math.round(clamp(normal(this.random, this.profile.restingHeartRate + 4, 5), 40, 150));
    return {
      t: atMs,
      type: 'blood_pressure',
      data: {
        systolic_mmhg: roundTo(systolic, 0),
        diastolic_mmhg: roundTo(safeDiastolic, 0),
        // Mean arterial pressure as oscillometric cuffs report it: diastolic + a third of the pulse pressure.
        map_mmhg: roundTo(safeDiastolic + (systolic - safeDiastolic) / 3, 1),
        pulse_bpm: pulse,
      },
    };
  }
}
