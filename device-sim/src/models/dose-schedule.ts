import { localMidnightUtc, MS_PER_DAY, MS_PER_MINUTE } from '../time/local-time.js';

/**
 * A dispenser's dose schedule: local clock times each day and how long after a scheduled time a dose still
 * counts as taken (late) rather than missed.
 */
export interface DoseSchedule {
  /** Local `HH:MM` times, e.g. `['08:00', '20:00']`. */
  readonly times: readonly string[];
  /** Minutes after the scheduled time before the dose is reported missed. */
  readonly windowMinutes: number;
}

export const DEFAULT_DOSE_SCHEDULE: DoseSchedule = { times: ['08:00', '20:00'], windowMinutes: 240 };

/** A dose is on time when taken within this many minutes of its scheduled time. */
export const ON_TIME_MINUTES = 30;

/** Minutes after local midnight for each `HH:MM`, sorted; throws on anything else. */
export function parseDoseTimes(times: readonly string[]): number[] {
  if (times.length === 0) throw new RangeError('a dose schedule needs at least one time');
  return times
    .map((time) => {
      const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(time);
      if (match === null) throw new RangeError(`dose time "${time}" is not HH:MM`);
      return Number(match[1]) * 60 + Number(match[2]);
    })
    .sort((a, b) => a - b);
}

/** The scheduled instants (UTC ms) strictly after `afterMs`, in order, without end. */
export function* scheduledDosesAfter(
  schedule: DoseSchedule,
  afterMs: number,
  utcOffsetMinutes: number,
): Generator<number, never> {
  const minutes = parseDoseTimes(schedule.times);
  for (let day = localMidnightUtc(afterMs, utcOffsetMinutes); ; day += MS_PER_DAY) {
    for (const minute of minutes) {
      const at = day + minute * MS_PER_MINUTE;
      if (at > afterMs) yield at;
    }
  }
}
