import type { GattDateTime } from './gatt-date-time.js';
import { GattWriter, flagBits } from './gatt-encode-writer.js';
import type { Ieee11073Value } from './ieee11073-float.js';

export interface PlxSpotCheckMeasurementFields {
  readonly spo2: Ieee11073Value;
  readonly pulseRateBpm: Ieee11073Value;
  readonly timeStamp?: GattDateTime;
  readonly measurementStatusRaw?: number;
  /** 24 bits. */
  readonly deviceAndSensorStatusRaw?: number;
  readonly pulseAmplitudeIndex?: Ieee11073Value;
  /** Flags bit 4: the device's clock is not set. */
  readonly deviceClockNotSet?: boolean;
  readonly reservedFlags?: number;
}

/** PLX Spot-Check Measurement, 0x2A5E: the inverse of `decodePlxSpotCheckMeasurement`. */
export function encodePlxSpotCheckMeasurement(fields: PlxSpotCheckMeasurementFields): Uint8Array {
  const writer = new GattWriter('PLX spot-check measurement (0x2A5E)');
  const flags =
    flagBits([
      [fields.timeStamp !== undefined, 0x01],
      [fields.measurementStatusRaw !== undefined, 0x02],
      [fields.deviceAndSensorStatusRaw !== undefined, 0x04],
      [fields.pulseAmplitudeIndex !== undefined, 0x08],
      [fields.deviceClockNotSet === true, 0x10],
    ]) |
    ((fields.reservedFlags ?? 0) & 0xe0);
  writer.uint8(flags, 'flags').sfloat(fields.spo2, 'SpO2').sfloat(fields.pulseRateBpm, 'pulse rate');
  if (fields.timeStamp !== undefined) writer.dateTime(fields.timeStamp, 'time stamp');
  if (fields.measurementStatusRaw !== undefined) writer.uint16(fields.measurementStatusRaw, 'measurement status');
  if (fields.deviceAndSensorStatusRaw !== undefined) writer.uint24(fields.deviceAndSensorStatusRaw, 'device and sensor status');
  if (fields.pulseAmplitudeIndex !== undefined) writer.sfloat(fields.pulseAmplitudeIndex, 'pulse amplitude index');
  return writer.toBytes();
}
