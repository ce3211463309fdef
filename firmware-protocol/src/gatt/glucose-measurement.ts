import { readBitField, reservedBits, type GattBitField } from './gatt-bit-field.js';
import { readDateTime, type GattDateTime } from './gatt-date-time.js';
import { GattReader } from './gatt-reader.js';
import type { Ieee11073Value } from './ieee11073-float.js';

/** Glucose Measurement, 0x2A18 (Glucose Service 0x1808; GATT Specification Supplement). */
export interface GlucoseMeasurement {
  readonly characteristic: 'glucose_measurement';
  readonly uuid: '2a18';
  readonly flags: number;
  readonly sequenceNumber: number;
  readonly baseTime: GattDateTime;
  /** Flags bit 0: minutes to add to the base time (sint16). */
  readonly timeOffsetMinutes?: number;
  /** Flags bit 1: concentration (SFLOAT, unit from flags bit 2, as sent), type and sample location. */
  readonly concentration?: {
    readonly value: Ieee11073Value;
    readonly unit: 'kg/L' | 'mol/L';
    /** Low nibble of the Type-Sample Location octet. */
    readonly type: { readonly code: number; readonly name: string };
    /** High nibble of the Type-Sample Location octet. */
    readonly sampleLocation: { readonly code: number; readonly name: string };
  };
  /** Flags bit 3. */
  readonly sensorStatus?: GattBitField;
  /** Flags bit 4: a Glucose Measurement Context (0x2A34) with the same sequence number follows. */
  readonly contextInformationFollows: boolean;
  readonly reservedFlags: number;
}

const TYPES: Readonly<Record<number, string>> = {
  1: 'capillary-whole-blood',
  2: 'capillary-plasma',
  3: 'venous-whole-blood',
  4: 'venous-plasma',
  5: 'arterial-whole-blood',
  6: 'arterial-plasma',
  7: 'undetermined-whole-blood',
  8: 'undetermined-plasma',
  9: 'interstitial-fluid',
  10: 'control-solution',
};
const LOCATIONS: Readonly<Record<number, string>> = {
  1: 'finger',
  2: 'alternate-site-test',
  3: 'earlobe',
  4: 'control-solution',
  15: 'not-available',
};
const SENSOR_STATUS: Readonly<Record<number, string>> = {
  0: 'device-battery-low',
  1: 'sensor-malfunction',
  2: 'sample-size-insufficient',
  3: 'strip-insertion-error',
  4: 'strip-type-incorrect',
  5: 'result-higher-than-device-can-process',
  6: 'result-lower-than-device-can-process',
  7: 'sensor-temperature-too-high',
  8: 'sensor-temperature-too-low',
  9: 'sensor-read-interrupted',
  10: 'general-device-fault',
  11: 'time-fault',
};

const NAME = 'glucose measurement (0x2A18)';

export function decodeGlucoseMeasurement(bytes: Uint8Array): GlucoseMeasurement {
  const reader = new GattReader(bytes, NAME);
  const flags = reader.uint8('flags');
  const sequenceNumber = reader.uint16('sequence number');
  const baseTime = readDateTime(reader, 'base time');
  const timeOffsetMinutes = flags & 0x01 ? reader.int16('time offset (flags bit 0)') : undefined;
  let concentration: GlucoseMeasurement['concentration'];
  if (flags & 0x02) {
    const unit = flags & 0x04 ? 'mol/L' : 'kg/L';
    const value = reader.sfloat(`glucose concentration (flags bit 1, SFLOAT ${unit})`);
    const typeLocation = reader.uint8('type-sample location (flags bit 1)');
    const typeCode = typeLocation & 0x0f;
    const locationCode = typeLocation >> 4;
    concentration = {
      value,
      unit,
      type: { code: typeCode, name: TYPES[typeCode] ?? 'reserved' },
      sampleLocation: { code: locationCode, name: LOCATIONS[locationCode] ?? 'reserved' },
    };
  }
  const sensorStatus = flags & 0x08 ? readBitField(reader.uint16('sensor status annunciation (flags bit 3)'), 16, SENSOR_STATUS) : undefined;
  reader.end();
  return {
    characteristic: 'glucose_measurement',
    uuid: '2a18',
    flags,
    sequenceNumber,
    baseTime,
    ...(timeOffsetMinutes === undefined ? {} : { timeOffsetMinutes }),
    ...(concentration === undefined ? {} : { concentration }),
    ...(sensorStatus === undefined ? {} : { sensorStatus }),
    contextInformationFollows: (flags & 0x10) !== 0,
    reservedFlags: reservedBits(flags, 0x1f),
  };
}
