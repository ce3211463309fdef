import { reservedBits, type GattBitField } from './gatt-bit-field.js';
import { readDateTime, type GattDateTime } from './gatt-date-time.js';
import { GattReader } from './gatt-reader.js';
import type { Ieee11073Value } from './ieee11073-float.js';

/** Blood Pressure Measurement, 0x2A35 (Blood Pressure Service 0x1810; GATT Specification Supplement). */
export interface BloodPressureMeasurement {
  readonly characteristic: 'blood_pressure_measurement';
  readonly uuid: '2a35';
  readonly flags: number;
  /** Flags bit 0: the unit of systolic, diastolic and MAP, as sent (never converted). */
  readonly unit: 'mmHg' | 'kPa';
  readonly systolic: Ieee11073Value;
  readonly diastolic: Ieee11073Value;
  readonly meanArterialPressure: Ieee11073Value;
  /** Flags bit 1. */
  readonly timeStamp?: GattDateTime;
  /** Flags bit 2, beats per minute. */
  readonly pulseRateBpm?: Ieee11073Value;
  /** Flags bit 3; 255 = unknown user. */
  readonly userId?: number;
  /** Flags bit 4. Bits 3-4 are one 2-bit field: within range, exceeds upper limit, below lower limit. */
  readonly measurementStatus?: GattBitField;
  readonly reservedFlags: number;
}

const NAME = 'blood pressure measurement (0x2A35)';

export function decodeBloodPressureMeasurement(bytes: Uint8Array): BloodPressureMeasurement {
  const reader = new GattReader(bytes, NAME);
  const flags = reader.uint8('flags');
  const unit = flags & 0x01 ? 'kPa' : 'mmHg';
  const systolic = reader.sfloat(`systolic (SFLOAT, ${unit})`);
  const diastolic = reader.sfloat(`diastolic (SFLOAT, ${unit})`);
  const meanArterialPressure = reader.sfloat(`mean arterial pressure (SFLOAT, ${unit})`);
  const timeStamp = flags & 0x02 ? readDateTime(reader, 'time stamp (flags bit 1)') : undefined;
  const pulseRateBpm = flags & 0x04 ? reader.sfloat('pulse rate (flags bit 2)') : undefined;
  const userId = flags & 0x08 ? reader.uint8('user id (flags bit 3)') : undefined;
  const measurementStatus = flags & 0x10 ? bloodPressureStatus(reader.uint16('measurement status (flags bit 4)')) : undefined;
  reader.end();
  return {
    characteristic: 'blood_pressure_measurement',
    uuid: '2a35',
    flags,
    unit,
    systolic,
    diastolic,
    meanArterialPressure,
    ...(timeStamp === undefined ? {} : { timeStamp }),
    ...(pulseRateBpm === undefined ? {} : { pulseRateBpm }),
    ...(userId === undefined ? {} : { userId }),
    ...(measurementStatus === undefined ? {} : { measurementStatus }),
    reservedFlags: reservedBits(flags, 0x1f),
  };
}

const STATUS_BITS: Readonly<Record<number, string>> = {
  0: 'body-movement-detected',
  1: 'cuff-too-loose',
  2: 'irregular-pulse-detected',
  5: 'improper-measurement-position',
};
const PULSE_RATE_RANGE = ['', 'pulse-rate-exceeds-upper-limit', 'pulse-rate-below-lower-limit', 'pulse-rate-range-reserved-value'];

function bloodPressureStatus(raw: number): GattBitField {
  const set: string[] = [];
  for (let bit = 0; bit < 16; bit += 1) {
    if (bit === 3) {
      // Bits 3-4 form one field: 0 within range, 1 above the upper limit, 2 below the lower limit, 3 reserved.
      const range = PULSE_RATE_RANGE[(raw >> 3) & 0x03];
      if (range) set.push(range);
    } else if (bit !== 4 && (raw >>> bit) & 1) {
      set.push(STATUS_BITS[bit] ?? `reserved-bit-${bit}`);
    }
  }
  return { raw, set };
}
