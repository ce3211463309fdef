import { readBitField, type GattBitField } from './gatt-bit-field.js';
import { readDateTime, type GattDateTime } from './gatt-date-time.js';
import { GattReader } from './gatt-reader.js';

/**
 * Current Time, 0x2A2B (Current Time Service 0x1805): Exact Time 256 (Date Time, Day of Week, Fractions256) and
 * Adjust Reason. The gateway reads it to measure a device's clock offset (it logs that as a `gateway` entry).
 */
export interface CurrentTime {
  readonly characteristic: 'current_time';
  readonly uuid: '2a2b';
  readonly dateTime: GattDateTime;
  /** 0 = unknown, 1 = Monday ... 7 = Sunday. */
  readonly dayOfWeek: number;
  /** 1/256 s. */
  readonly fractions256: number;
  readonly adjustReason: GattBitField;
}

const NAME = 'current time (0x2A2B)';

export function decodeCurrentTime(bytes: Uint8Array): CurrentTime {
  const reader = new GattReader(bytes, NAME);
  const dateTime = readDateTime(reader, 'date time');
  const dayAt = reader.position;
  const dayOfWeek = reader.uint8('day of week');
  if (dayOfWeek > 7) throw reader.invalid('day of week', `${dayOfWeek} is not 0 (unknown) or 1-7`, dayAt);
  const fractions256 = reader.uint8('fractions256');
  const adjustReason = readBitField(reader.uint8('adjust reason'), 8, {
    0: 'manual-time-update',
    1: 'external-reference-time-update',
    2: 'change-of-time-zone',
    3: 'change-of-dst',
  });
  reader.end();
  return { characteristic: 'current_time', uuid: '2a2b', dateTime, dayOfWeek, fractions256, adjustReason };
}
