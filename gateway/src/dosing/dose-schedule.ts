/**
 * A dispenser's dose schedule as the gateway holds it: daily local times per slot in an IANA zone, the window
 * after which a dose not taken counts as missed, and when reminders go out. Checked once where an operator's
 * input enters (`checkDoseSchedule`), then plain data.
 */
import { DOSE_TIME_PATTERN, MAX_SCHEDULED_DOSES, type ScheduledDose } from '../downlink/schedule-message.js';
import { DosingError } from './dosing-error.js';
import { assertTimeZone, instantOfLocalTime, localDates } from './zoned-time.js';

export interface DoseScheduleSpec {
  /** IANA zone of the times, e.g. `Europe/Berlin`. */
  readonly tz: string;
  /** Minutes after a dose's time after which it counts as missed (1-1440). */
  readonly windowMin: number;
  /** Minutes after a dose's time at which a reminder goes out if it is not taken yet (each < windowMin). */
  readonly remindMin: readonly number[];
  /** Sorted by time; empty: no schedule (cleared). */
  readonly doses: readonly ScheduledDose[];
}

export interface DoseSchedule extends DoseScheduleSpec {
  /** 1 for the device's first schedule, +1 for each change. */
  readonly version: number;
  /** Log index and gateway time of the `schedule-set` entry. */
  readonly setIndex: number;
  readonly setAtMs: number;
}

export const DEFAULT_WINDOW_MIN = 240;
export const DEFAULT_REMIND_MIN: readonly number[] = [0, 60];
/** A `taken` without `scheduled` counts for a dose when its device time is at most this early. */
export const EARLY_TAKE_MIN = 60;

export function checkDoseSchedule(input: {
  readonly tz?: unknown;
  readonly windowMin?: unknown;
  readonly remindMin?: unknown;
  readonly doses?: unknown;
}): DoseScheduleSpec {
  const invalid = (field: string, message: string): never => {
    throw new DosingError('E_DOSING_INVALID', message, { details: { field } });
  };
  const tz = input.tz ?? 'UTC';
  assertTimeZone(tz);
  const windowMin = input.windowMin ?? DEFAULT_WINDOW_MIN;
  if (typeof windowMin !== 'number' || !Number.isInteger(windowMin) || windowMin < 1 || windowMin > 1440) {
    invalid('window_min', 'the window is 1 to 1440 minutes');
  }
  const window = windowMin as number;
  const remindRaw = input.remindMin ?? DEFAULT_REMIND_MIN.filter((m) => m < window);
  if (!Array.isArray(remindRaw) || remindRaw.length > 8) invalid('remind_min', 'reminders are a list of at most 8 offsets in minutes');
  const remindMin = [...new Set(remindRaw as unknown[])].map((m) => {
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m >= window) invalid('remind_min', `a reminder offset is 0 to ${window - 1} minutes (inside the window)`);
    return m as number;
  });
  remindMin.sort((a, b) => a - b);
  if (!Array.isArray(input.doses) || input.doses.length > MAX_SCHEDULED_DOSES) invalid('doses', `doses are a list of at most ${MAX_SCHEDULED_DOSES}`);
  const doses = (input.doses as unknown[]).map((dose) => {
    const d = dose as { slot?: unknown; at?: unknown } | null;
    if (d === null || typeof d !== 'object') return invalid('doses', 'a dose is {slot, at}');
    if (typeof d.slot !== 'number' || !Number.isInteger(d.slot) || d.slot < 0 || d.slot > 65_535) return invalid('doses', 'a slot is a number 0-65535');
    if (typeof d.at !== 'string' || !DOSE_TIME_PATTERN.test(d.at)) return invalid('doses', `a dose time is HH:MM (24 h), not ${JSON.stringify(d.at)}`);
    return { slot: d.slot, at: d.at };
  });
  doses.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.slot - b.slot));
  const keys = new Set(doses.map((d) => `${d.slot}@${d.at}`));
  if (keys.size !== doses.length) invalid('doses', 'the same slot and time are given twice');
  return { tz, windowMin: window, remindMin, doses };
}

/** One dose of a schedule on one day. */
export interface DueDose {
  readonly slot: number;
  readonly at: string;
  /** The dose's instant, ms (UTC). */
  readonly scheduled: number;
  readonly windowEnd: number;
}

/** The doses whose time falls in (fromMs, toMs], in time order. */
export function dosesBetween(schedule: DoseScheduleSpec, fromMs: number, toMs: number): DueDose[] {
  const out: DueDose[] = [];
  if (schedule.doses.length === 0 || toMs <= fromMs) return out;
  for (const date of localDates(fromMs - 86_400_000, toMs + 86_400_000, schedule.tz)) {
    for (const dose of schedule.doses) {
      const [hours, minutes] = dose.at.split(':').map(Number) as [number, number];
      const scheduled = instantOfLocalTime(schedule.tz, date.year, date.month, date.day, hours, minutes);
      if (scheduled > fromMs && scheduled <= toMs) out.push({ slot: dose.slot, at: dose.at, scheduled, windowEnd: scheduled + schedule.windowMin * 60_000 });
    }
  }
  return out.sort((a, b) => a.scheduled - b.scheduled || a.slot - b.slot);
}
