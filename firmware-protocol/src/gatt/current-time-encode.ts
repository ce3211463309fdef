import type { GattDateTime } from './gatt-date-time.js';
import { GattWriter } from './gatt-encode-writer.js';

export interface CurrentTimeFields {
  readonly dateTime: GattDateTime;
  /** 0 = unknown, 1 = Monday ... 7 = Sunday (default: computed from the date, 0 when the date is unknown). */
  readonly dayOfWeek?: number;
  readonly fractions256?: number;
  readonly adjustReasonRaw?: number;
}

/** Current Time, 0x2A2B (Exact Time 256 + Adjust Reason): the inverse of `decodeCurrentTime`. */
export function encodeCurrentTime(fields: CurrentTimeFields): Uint8Array {
  const writer = new GattWriter('current time (0x2A2B)');
  const { year, month, day } = fields.dateTime;
  const computed = year === 0 || month === 0 || day === 0 ? 0 : ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1;
  const dayOfWeek = fields.dayOfWeek ?? computed;
  if (!Number.isInteger(dayOfWeek) || dayOfWeek < 0 || dayOfWeek > 7) writer.uint8(-1, 'day of week');
  return writer
    .dateTime(fields.dateTime, 'date time')
    .uint8(dayOfWeek, 'day of week')
    .uint8(fields.fractions256 ?? 0, 'fractions256')
    .uint8(fields.adjustReasonRaw ?? 0, 'adjust reason')
    .toBytes();
}

/**
 * The Date Time fields of an instant as seen on a clock `utcOffsetMinutes` ahead of UTC (Date Time has no
 * time zone: a device shows its local time), with the fraction of the second in 1/256 s.
 */
export function gattDateTimeOf(ms: number, utcOffsetMinutes = 0): { readonly dateTime: GattDateTime; readonly fractions256: number } {
  const local = new Date(ms + utcOffsetMinutes * 60_000);
  return {
    dateTime: {
      year: local.getUTCFullYear(),
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hours: local.getUTCHours(),
      minutes: local.getUTCMinutes(),
      seconds: local.getUTCSeconds(),
    },
    fractions256: Math.floor((local.getUTCMilliseconds() * 256) / 1000),
  };
}
