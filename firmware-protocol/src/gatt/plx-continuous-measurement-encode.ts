import { GattWriter, flagBits } from './gatt-encode-writer.js';
import type { Ieee11073Value } from './ieee11073-float.js';
import type { PlxReading } from './plx-continuous-measurement.js';

export interface PlxContinuousMeasurementFields {
  readonly normal: PlxReading;
  readonly fast?: PlxReading;
  readonly slow?: PlxReading;
  readonly measurementStatusRaw?: number;
  readonly deviceAndSensorStatusRaw?: number;
  readonly pulseAmplitudeIndex?: Ieee11073Value;
  readonly reservedFlags?: number;
}

/** PLX Continuous Measurement, 0x2A5F: the inverse of `decodePlxContinuousMeasurement`. */
export function encodePlxContinuousMeasurement(fields: PlxContinuousMeasurementFields): Uint8Array {
  const writer = new GattWriter('PLX continuous measurement (0x2A5F)');
  const flags =
    flagBits([
      [fields.fast !== undefined, 0x01],
      [fields.slow !== undefined, 0x02],
      [fields.measurementStatusRaw !== undefined, 0x04],
      [fields.deviceAndSensorStatusRaw !== undefined, 0x08],
      [fields.pulseAmplitudeIndex !== undefined, 0x10],
    ]) |
    ((fields.reservedFlags ?? 0) & 0xe0);
  writer.uint8(flags, 'flags');
  const reading = (value: PlxReading, label: string): void => {
    writer.sfloat(value.spo2, `${label} SpO2`).sfloat(value.pulseRateBpm, `${label} pulse rate`);
  };
  reading(fields.normal, 'SpO2PR-Normal');
  if (fields.fast !== undefined) reading(fields.fast, 'SpO2PR-Fast');
  if (fields.slow !== undefined) reading(fields.slow, 'SpO2PR-Slow');
  if (fields.measurementStatusRaw !== undefined) writer.uint16(fields.measurementStatusRaw, 'measurement status');
  if (fields.deviceAndSensorStatusRaw !== undefined) writer.uint24(fields.deviceAndSensorStatusRaw, 'device and sensor status');
  if (fields.pulseAmplitudeIndex !== undefined) writer.sfloat(fields.pulseAmplitudeIndex, 'pulse amplitude index');
  return writer.toBytes();
}
