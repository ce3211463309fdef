/**
 * Wall-clock times in an IANA time zone (a dose at 08:00 in Europe/Berlin) to instants and back, with the
 * zone data the Node runtime carries (Intl). A patient takes a morning dose at 08:00 local time in winter and
 * in summer; the instants move with daylight saving time.
 *
 * At a change of offset:
 * - a local time that does not exist (clocks jump from 02:00 to 03:00) is taken to be as late as the jump
 *   makes it: 02:30 becomes 03:30, the time a patient whose clock jumped sees;
 * - a local time that exists twice (clocks fall back) is its first occurrence.
 */
import { DosingError } from './dosing-error.js';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(tz: string): Intl.DateTimeFormat {
  let format = formats.get(tz);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(tz, format);
  }
  return format;
}

/** Throws E_DOSING_INVALID unless `tz` is an IANA zone name the runtime knows (e.g. `Europe/Berlin`, `UTC`). */
export function assertTimeZone(tz: unknown): asserts tz is string {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) {
    throw new DosingError('E_DOSING_INVALID', 'a time zone is an IANA name such as Europe/Berlin or UTC', { details: { field: 'tz' } });
  }
  try {
    formatFor(tz);
  } catch {
    throw new DosingError('E_DOSING_INVALID', `unknown time zone ${JSON.stringify(tz)}: use an IANA name such as Europe/Berlin or UTC`, {
      details: { field: 'tz' },
    });
  }
}

export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

/** The wall-clock fields of instant `ms` in zone `tz`. */
export function localDateTimeOf(ms: number, tz: string): LocalDateTime {
  const fields: Record<string, number> = {};
  for (const part of formatFor(tz).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields['year'] ?? 1970,
    month: fields['month'] ?? 1,
    day: fields['day'] ?? 1,
    hours: fields['hour'] ?? 0,
    minutes: fields['minute'] ?? 0,
    seconds: fields['second'] ?? 0,
  };
}

/** Minutes the zone is ahead of UTC at instant `ms`. */
export function utcOffsetMinutes(ms: number, tz: string): number {
  const local = localDateTimeOf(ms, tz);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hours, local.minutes, local.seconds);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The instant of a local wall-clock time (see the rules above for gaps and repeats). */
export function instantOfLocalTime(tz: string, year: number, month: number, day: number, hours: number, minutes: number): number {
  const asUtc = Date.UTC(year, month - 1, day, hours, minutes);
  const before = utcOffsetMinutes(asUtc - 86_400_000, tz);
  const after = utcOffsetMinutes(asUtc + 86_400_000, tz);
  const candidates = [...new Set([before, after])]
    .map((offset) => asUtc - offset * 60_000)
    .filter((ms) => {
      const local = localDateTimeOf(ms, tz);
      return local.year === year && local.month === month && local.day === day && local.hours === hours && local.minutes === minutes;
    });
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: read with the offset before the jump, which lands as far past the gap as the time was into it.
  return asUtc - before * 60_000;
}

/** Local calendar dates (year, month, day) from the date of `fromMs` to the date of `toMs`, in zone `tz`. */
export function* localDates(fromMs: number, toMs: number, tz: string): Generator<{ year: number; month: number; day: number }> {
  const first = localDateTimeOf(fromMs, tz);
  const last = localDateTimeOf(toMs, tz);
  const end = Date.UTC(last.year, last.month - 1, last.day);
  for (let day = Date.UTC(first.year, first.month - 1, first.day); day <= end; day += 86_400_000) {
    const date = new Date(day);
    yield { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
  }
}
