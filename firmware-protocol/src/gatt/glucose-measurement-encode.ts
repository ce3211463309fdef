import type { GattDateTime } from './gatt-date-time.js';
import { GattWriter, flagBits } from './gatt-encode-writer.js';
import type { Ieee11073Value } from './ieee11073-float.js';

export interface GlucoseMeasurementFields {
  readonly sequenceNumber: number;
  readonly baseTime: GattDateTime;
  readonly timeOffsetMinutes?: number;
  readonly concentration?: {
    readonly value: Ieee11073Value;
    readonly unit: 'kg/L' | 'mol/L';
    readonly typeCode: number;
    readonly sampleLocationCode: number;
  };
  readonly sensorStatusRaw?: number;
  readonly contextInformationFollows?: boolean;
  readonly reservedFlags?: number;
}

/** Glucose Measurement, 0x2A18: the inverse of `decodeGlucoseMeasurement`. */
export function encodeGlucoseMeasurement(fields: GlucoseMeasurementFields): Uint8Array {
  const writer = new GattWriter('glucose measurement (0x2A18)');
  const c = fields.concentration;
  const flags =
    flagBits([
      [fields.timeOffsetMinutes !== undefined, 0x01],
      [c !== undefined, 0x02],
      [c?.unit === 'mol/L', 0x04],
      [fields.sensorStatusRaw !== undefined, 0x08],
      [fields.contextInformationFollows === true, 0x10],
    ]) |
    ((fields.reservedFlags ?? 0) & 0xe0);
  writer.uint8(flags, 'flags').uint16(fields.sequenceNumber, 'sequence number').dateTime(fields.baseTime, 'base time');
  if (fields.timeOffsetMinutes !== undefined) writer.int16(fields.timeOffsetMinutes, 'time offset');
  if (c !== undefined) {
    writer.sfloat(c.value, 'glucose concentration');
    writer.uint8(((c.sampleLocationCode & 0x0f) << 4) | (c.typeCode & 0x0f), 'type-sample location');
  }
  if (fields.sensorStatusRaw !== undefined) writer.uint16(fields.sensorStatusRaw, 'sensor status annunciation');
  return writer.toBytes();
}
