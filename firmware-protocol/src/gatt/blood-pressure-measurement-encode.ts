import type { BloodPressureMeasurement } from './blood-pressure-measurement.js';
import type { GattDateTime } from './gatt-date-time.js';
import { GattWriter, flagBits } from './gatt-encode-writer.js';
import type { Ieee11073Value } from './ieee11073-float.js';

export interface BloodPressureMeasurementFields {
  readonly unit?: BloodPressureMeasurement['unit'];
  readonly systolic: Ieee11073Value;
  readonly diastolic: Ieee11073Value;
  readonly meanArterialPressure: Ieee11073Value;
  readonly timeStamp?: GattDateTime;
  readonly pulseRateBpm?: Ieee11073Value;
  readonly userId?: number;
  /** Measurement Status as its raw 16 bits. */
  readonly measurementStatusRaw?: number;
  readonly reservedFlags?: number;
}

/** Blood Pressure Measurement, 0x2A35: the inverse of `decodeBloodPressureMeasurement`. */
export function encodeBloodPressureMeasurement(fields: BloodPressureMeasurementFields): Uint8Array {
  const writer = new GattWriter('blood pressure measurement (0x2A35)');
  const flags =
    flagBits([
      [fields.unit === 'kPa', 0x01],
      [fields.timeStamp !== undefined, 0x02],
      [fields.pulseRateBpm !== undefined, 0x04],
      [fields.userId !== undefined, 0x08],
      [fields.measurementStatusRaw !== undefined, 0x10],
    ]) |
    ((fields.reservedFlags ?? 0) & 0xe0);
  writer.uint8(flags, 'flags');
  writer.sfloat(fields.systolic, 'systolic').sfloat(fields.diastolic, 'diastolic').sfloat(fields.meanArterialPressure, 'mean arterial pressure');
  if (fields.timeStamp !== undefined) writer.dateTime(fields.timeStamp, 'time stamp');
  if (fields.pulseRateBpm !== undefined) writer.sfloat(fields.pulseRateBpm, 'pulse rate');
  if (fields.userId !== undefined) writer.uint8(fields.userId, 'user id');
  if (fields.measurementStatusRaw !== undefined) writer.uint16(fields.measurementStatusRaw, 'measurement status');
  return writer.toBytes();
}
