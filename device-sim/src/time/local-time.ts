/**
 * Local time of day at the trial site. Physiology (sleep, meals) and dose schedules follow the subject's local
 * clock, while messages carry UTC milliseconds (spec section 2, `t`). A fixed offset is enough for a
 * simulation; no daylight-saving rules.
 */
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Hours since local midnight, in [0, 24). */
export function localHourOfDay(utcMs: number, utcOffsetMinutes: number): number {
  const local = utcMs + utcOffsetMinutes * MS_PER_MINUTE;
  return (((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_HOUR;
}

/** The UTC instant of the local midnight that starts the local day containing `utcMs`. */
export function localMidnightUtc(utcMs: number, utcOffsetMinutes: number): number {
  const offset = utcOffsetMinutes * MS_PER_MINUTE;
  const local = utcMs + offset;
  return local - (((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) - offset;
}
