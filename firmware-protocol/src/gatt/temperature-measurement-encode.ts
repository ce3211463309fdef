import type { GattDateTime } from './gatt-date-time.js';
import { GattWriter, flagBits } from './gatt-encode-writer.js';
import type { Ieee11073Value } from './ieee11073-float.js';
import type { TemperatureMeasurement } from './temperature-measurement.js';

export interface TemperatureMeasurementFields {
  readonly unit?: TemperatureMeasurement['unit'];
  readonly temperature: Ieee11073Value;
  readonly timeStamp?: GattDateTime;
  /** Temperature Type code (0x2A1D), e.g. 2 = body. */
  readonly temperatureTypeCode?: number;
  readonly reservedFlags?: number;
}

/** Temperature Measurement, 0x2A1C: the inverse of `decodeTemperatureMeasurement`. */
export function encodeTemperatureMeasurement(fields: TemperatureMeasurementFields): Uint8Array {
  const writer = new GattWriter('temperature measurement (0x2A1C)');
  const flags =
    flagBits([
      [fields.unit === 'fahrenheit', 0x01],
      [fields.timeStamp !== undefined, 0x02],
      [fields.temperatureTypeCode !== undefined, 0x04],
    ]) |
    ((fields.reservedFlags ?? 0) & 0xf8);
  writer.uint8(flags, 'flags').float(fields.temperature, 'temperature');
  if (fields.timeStamp !== undefined) writer.dateTime(fields.timeStamp, 'time stamp');
  if (fields.temperatureTypeCode !== undefined) writer.uint8(fields.temperatureTypeCode, 'temperature type');
  return writer.toBytes();
}
