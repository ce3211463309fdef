import { clamp, normal, uniform, type Random } from '../random/random.js';

/**
 * The physiology and habits of one pseudonymous trial subject, drawn once per subject so that all of their
 * devices agree (the cuff and the watch see the same person). Values are plausible adult ranges, not a
 * clinical model.
 */
export interface SubjectProfile {
  /** Site clock offset from UTC, minutes (local wake, meal and dose times follow it). */
  readonly utcOffsetMinutes: number;
  /** Local hour the subject usually wakes (e.g. 6.75 = 06:45) and goes to sleep. */
  readonly wakeHour: number;
  readonly sleepHour: number;
  readonly restingHeartRate: number;
  readonly maxHeartRate: number;
  readonly spo2Baseline: number;
  readonly bodyTempBaseline: number;
  readonly systolicBaseline: number;
  readonly diastolicBaseline: number;
  readonly fastingGlucose: number;
  readonly weightKg: number;
  /** Mean activity bouts (walks, exercise) per waking day. */
  readonly activityBoutsPerDay: number;
  /** Probabilities for a dose: taken on time, taken late, missed (they sum to 1). */
  readonly adherence: AdherenceProfile;
}

export interface AdherenceProfile {
  readonly onTime: number;
  readonly late: number;
  readonly missed: number;
  /** Chance that a reminder gets a pending dose taken soon after it. */
  readonly reminderResponse: number;
  /** Chance, per scheduled dose, of a compartment opened without a dose taken. */
  readonly openWithoutDose: number;
}

/** Population averages: 75 % on time, 15 % late, 10 % missed is typical of electronic-monitoring studies. */
export const DEFAULT_ADHERENCE: AdherenceProfile = {
  onTime: 0.75,
  late: 0.15,
  missed: 0.1,
  reminderResponse: 0.6,
  openWithoutDose: 0.03,
};

export function createSubjectProfile(random: Random, utcOffsetMinutes = 0): SubjectProfile {
  const age = uniform(random, 25, 75);
  const restingHeartRate = clamp(normal(random, 68, 7), 50, 90);
  const adherenceShift = clamp(normal(random, 0, 0.05), -0.1, 0.1);
  const onTime = DEFAULT_ADHERENCE.onTime + adherenceShift;
  return {
    utcOffsetMinutes,
    wakeHour: clamp(normal(random, 7, 0.6), 5, 9),
    sleepHour: clamp(normal(random, 22.75, 0.6), 21, 23.9),
    restingHeartRate,
    maxHeartRate: 208 - 0.7 * age,
    spo2Baseline: clamp(normal(random, 97.2, 0.8), 94.5, 99.5),
    bodyTempBaseline: clamp(normal(random, 36.6, 0.15), 36.2, 37),
    systolicBaseline: clamp(normal(random, 126, 12), 100, 160),
    diastolicBaseline: clamp(normal(random, 80, 7), 62, 98),
    fastingGlucose: clamp(normal(random, 105, 18), 75, 160),
    weightKg: clamp(normal(random, 78, 14), 48, 130),
    activityBoutsPerDay: clamp(normal(random, 3, 1), 0.5, 6),
    adherence: {
      ...DEFAULT_ADHERENCE,
      onTime,
      missed: DEFAULT_ADHERENCE.missed - adherenceShift / 2,
      late: 1 - onTime - (DEFAULT_ADHERENCE.missed - adherenceShift / 2),
    },
  };
}
