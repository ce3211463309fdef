import type { GattReader } from './gatt-reader.js';

/**
 * Date Time (0x2A08), 7 octets: year (uint16, 1582-9999, 0 = not known), month (1-12, 0 = not known), day (1-31,
 * 0 = not known), hours (0-23), minutes (0-59), seconds (0-59). A device's local time: no time zone.
 */
export interface GattDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

export function readDateTime(reader: GattReader, field: string): GattDateTime {
  const start = reader.position;
  const year = reader.uint16(`${field}.year`);
  const month = reader.uint8(`${field}.month`);
  const day = reader.uint8(`${field}.day`);
  const hours = reader.uint8(`${field}.hours`);
  const minutes = reader.uint8(`${field}.minutes`);
  const seconds = reader.uint8(`${field}.seconds`);
  if (year !== 0 && (year < 1582 || year > 9999)) throw reader.invalid(`${field}.year`, `${year} is not 0 (unknown) or 1582-9999`, start);
  if (month > 12) throw reader.invalid(`${field}.month`, `${month} is not 0 (unknown) or 1-12`, start + 2);
  if (day > 31) throw reader.invalid(`${field}.day`, `${day} is not 0 (unknown) or 1-31`, start + 3);
  if (hours > 23) throw reader.invalid(`${field}.hours`, `${hours} is not 0-23`, start + 4);
  if (minutes > 59) throw reader.invalid(`${field}.minutes`, `${minutes} is not 0-59`, start + 5);
  if (seconds > 59) throw reader.invalid(`${field}.seconds`, `${seconds} is not 0-59`, start + 6);
  return { year, month, day, hours, minutes, seconds };
}
