import { reservedBits } from './gatt-bit-field.js';
import { readDateTime, type GattDateTime } from './gatt-date-time.js';
import { GattReader } from './gatt-reader.js';

/**
 * A uint16 with a fixed resolution: `raw` as sent and `value` = raw * resolution in `unit`. The weight's
 * special raw value 0xFFFF means "measurement unsuccessful" (Weight Scale Service) and has no value.
 */
export type ScaledValue =
  | { readonly kind: 'number'; readonly raw: number; readonly value: number; readonly unit: string }
  | { readonly kind: 'measurement-unsuccessful'; readonly raw: number };

/** Weight Measurement, 0x2A9D (Weight Scale Service 0x181D; GATT Specification Supplement). */
export interface WeightMeasurement {
  readonly characteristic: 'weight_measurement';
  readonly uuid: '2a9d';
  readonly flags: number;
  /** Flags bit 0: SI (kg, m) or imperial (lb, in), as sent (never converted). */
  readonly units: 'si' | 'imperial';
  /** Resolution 0.005 kg or 0.01 lb. */
  readonly weight: ScaledValue;
  /** Flags bit 1. */
  readonly timeStamp?: GattDateTime;
  /** Flags bit 2; 255 = unknown user. */
  readonly userId?: number;
  /** Flags bit 3: BMI (resolution 0.1) and height (0.001 m or 0.1 in). */
  readonly bmi?: ScaledValue;
  readonly height?: ScaledValue;
  readonly reservedFlags: number;
}

const NAME = 'weight measurement (0x2A9D)';

export function decodeWeightMeasurement(bytes: Uint8Array): WeightMeasurement {
  const reader = new GattReader(bytes, NAME);
  const flags = reader.uint8('flags');
  const imperial = (flags & 0x01) !== 0;
  const rawWeight = reader.uint16(`weight (uint16, ${imperial ? '0.01 lb' : '0.005 kg'})`);
  const weight: ScaledValue =
    rawWeight === 0xffff
      ? { kind: 'measurement-unsuccessful', raw: rawWeight }
      : imperial
        ? { kind: 'number', raw: rawWeight, value: rawWeight / 100, unit: 'lb' }
        : { kind: 'number', raw: rawWeight, value: (rawWeight * 5) / 1000, unit: 'kg' };
  const timeStamp = flags & 0x02 ? readDateTime(reader, 'time stamp (flags bit 1)') : undefined;
  const userId = flags & 0x04 ? reader.uint8('user id (flags bit 2)') : undefined;
  let bmi: ScaledValue | undefined;
  let height: ScaledValue | undefined;
  if (flags & 0x08) {
    const rawBmi = reader.uint16('BMI (flags bit 3)');
    const rawHeight = reader.uint16('height (flags bit 3)');
    bmi = { kind: 'number', raw: rawBmi, value: rawBmi / 10, unit: 'kg/m2' };
    height = imperial
      ? { kind: 'number', raw: rawHeight, value: rawHeight / 10, unit: 'in' }
      : { kind: 'number', raw: rawHeight, value: rawHeight / 1000, unit: 'm' };
  }
  reader.end();
  return {
    characteristic: 'weight_measurement',
    uuid: '2a9d',
    flags,
    units: imperial ? 'imperial' : 'si',
    weight,
    ...(timeStamp === undefined ? {} : { timeStamp }),
    ...(userId === undefined ? {} : { userId }),
    ...(bmi === undefined ? {} : { bmi }),
    ...(height === undefined ? {} : { height }),
    reservedFlags: reservedBits(flags, 0x0f),
  };
}
