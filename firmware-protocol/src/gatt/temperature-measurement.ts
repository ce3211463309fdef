import { reservedBits } from './gatt-bit-field.js';
import { readDateTime, type GattDateTime } from './gatt-date-time.js';
import { GattReader } from './gatt-reader.js';
import type { Ieee11073Value } from './ieee11073-float.js';

/** Temperature Measurement, 0x2A1C (Health Thermometer Service 0x1809; GATT Specification Supplement). */
export interface TemperatureMeasurement {
  readonly characteristic: 'temperature_measurement';
  readonly uuid: '2a1c';
  readonly flags: number;
  /** Flags bit 0, as sent (never converted). */
  readonly unit: 'celsius' | 'fahrenheit';
  /** IEEE 11073 FLOAT (32 bits). */
  readonly temperature: Ieee11073Value;
  /** Flags bit 1. */
  readonly timeStamp?: GattDateTime;
  /** Flags bit 2 (Temperature Type, 0x2A1D). */
  readonly temperatureType?: { readonly code: number; readonly name: string };
  readonly reservedFlags: number;
}

const TEMPERATURE_TYPES: Readonly<Record<number, string>> = {
  1: 'armpit',
  2: 'body',
  3: 'ear',
  4: 'finger',
  5: 'gastro-intestinal-tract',
  6: 'mouth',
  7: 'rectum',
  8: 'toe',
  9: 'tympanum',
};

const NAME = 'temperature measurement (0x2A1C)';

export function decodeTemperatureMeasurement(bytes: Uint8Array): TemperatureMeasurement {
  const reader = new GattReader(bytes, NAME);
  const flags = reader.uint8('flags');
  const unit = flags & 0x01 ? 'fahrenheit' : 'celsius';
  const temperature = reader.float(`temperature (FLOAT, ${unit})`);
  const timeStamp = flags & 0x02 ? readDateTime(reader, 'time stamp (flags bit 1)') : undefined;
  let temperatureType: { code: number; name: string } | undefined;
  if (flags & 0x04) {
    const code = reader.uint8('temperature type (flags bit 2)');
    temperatureType = { code, name: TEMPERATURE_TYPES[code] ?? 'reserved' };
  }
  reader.end();
  return {
    characteristic: 'temperature_measurement',
    uuid: '2a1c',
    flags,
    unit,
    temperature,
    ...(timeStamp === undefined ? {} : { timeStamp }),
    ...(temperatureType === undefined ? {} : { temperatureType }),
    reservedFlags: reservedBits(flags, 0x07),
  };
}
