import type { GattDateTime } from './gatt-date-time.js';
import { GattWriter, flagBits } from './gatt-encode-writer.js';
import type { WeightMeasurement } from './weight-measurement.js';

export interface WeightMeasurementFields {
  readonly units?: WeightMeasurement['units'];
  /** Raw uint16: 0.005 kg or 0.01 lb steps; 0xFFFF = measurement unsuccessful. */
  readonly weightRaw: number;
  readonly timeStamp?: GattDateTime;
  readonly userId?: number;
  /** Raw BMI (0.1) and height (0.001 m or 0.1 in), sent together (flags bit 3). */
  readonly bmiAndHeightRaw?: { readonly bmi: number; readonly height: number };
  readonly reservedFlags?: number;
}

/** Weight Measurement, 0x2A9D: the inverse of `decodeWeightMeasurement`. */
export function encodeWeightMeasurement(fields: WeightMeasurementFields): Uint8Array {
  const writer = new GattWriter('weight measurement (0x2A9D)');
  const flags =
    flagBits([
      [fields.units === 'imperial', 0x01],
      [fields.timeStamp !== undefined, 0x02],
      [fields.userId !== undefined, 0x04],
      [fields.bmiAndHeightRaw !== undefined, 0x08],
    ]) |
    ((fields.reservedFlags ?? 0) & 0xf0);
  writer.uint8(flags, 'flags').uint16(fields.weightRaw, 'weight');
  if (fields.timeStamp !== undefined) writer.dateTime(fields.timeStamp, 'time stamp');
  if (fields.userId !== undefined) writer.uint8(fields.userId, 'user id');
  if (fields.bmiAndHeightRaw !== undefined) writer.uint16(fields.bmiAndHeightRaw.bmi, 'BMI').uint16(fields.bmiAndHeightRaw.height, 'height');
  return writer.toBytes();
}

/** The raw SI weight of `kg` (0.005 kg resolution), as a scale rounds it. */
export function weightRawFromKg(kg: number): number {
  return Math.round(kg / 0.005);
}
