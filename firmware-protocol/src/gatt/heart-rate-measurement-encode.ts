import { GattWriter, flagBits } from './gatt-encode-writer.js';
import type { HeartRateMeasurement } from './heart-rate-measurement.js';

/** What a heart-rate strap measures; `valueFormat` defaults to uint8 when the value fits, as devices do. */
export interface HeartRateMeasurementFields {
  readonly heartRateBpm: number;
  readonly valueFormat?: HeartRateMeasurement['valueFormat'];
  readonly sensorContact?: HeartRateMeasurement['sensorContact'];
  readonly energyExpendedKj?: number;
  /** RR intervals in 1/1024 s (flags bit 4). */
  readonly rrIntervals1024?: readonly number[];
  /** Reserved flag bits 5-7 to set (only tests of receivers set them). */
  readonly reservedFlags?: number;
}

/** Heart Rate Measurement, 0x2A37 (GATT Specification Supplement): the inverse of `decodeHeartRateMeasurement`. */
export function encodeHeartRateMeasurement(fields: HeartRateMeasurementFields): Uint8Array {
  const writer = new GattWriter('heart rate measurement (0x2A37)');
  const wide = (fields.valueFormat ?? (fields.heartRateBpm > 0xff ? 'uint16' : 'uint8')) === 'uint16';
  const contact = fields.sensorContact === 'detected' ? 0x06 : fields.sensorContact === 'not-detected' ? 0x04 : 0;
  const rr = fields.rrIntervals1024 ?? [];
  const flags =
    flagBits([
      [wide, 0x01],
      [fields.energyExpendedKj !== undefined, 0x08],
      [rr.length > 0, 0x10],
    ]) |
    contact |
    ((fields.reservedFlags ?? 0) & 0xe0);
  writer.uint8(flags, 'flags');
  if (wide) writer.uint16(fields.heartRateBpm, 'heart rate value (uint16)');
  else writer.uint8(fields.heartRateBpm, 'heart rate value (uint8)');
  if (fields.energyExpendedKj !== undefined) writer.uint16(fields.energyExpendedKj, 'energy expended');
  rr.forEach((interval, i) => writer.uint16(interval, `RR interval ${i + 1}`));
  return writer.toBytes();
}
