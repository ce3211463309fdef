import { ProtocolError } from '../errors/protocol-error.js';
import { decodeBloodPressureMeasurement, type BloodPressureMeasurement } from './blood-pressure-measurement.js';
import { decodeCurrentTime, type CurrentTime } from './current-time.js';
import { GATT_UUIDS, normalizeGattUuid } from './gatt-uuids.js';
import { decodeGlucoseMeasurement, type GlucoseMeasurement } from './glucose-measurement.js';
import { decodeHeartRateMeasurement, type HeartRateMeasurement } from './heart-rate-measurement.js';
import { decodePlxContinuousMeasurement, type PlxContinuousMeasurement } from './plx-continuous-measurement.js';
import { decodePlxSpotCheckMeasurement, type PlxSpotCheckMeasurement } from './plx-spot-check-measurement.js';
import { decodeTemperatureMeasurement, type TemperatureMeasurement } from './temperature-measurement.js';
import { decodeWeightMeasurement, type WeightMeasurement } from './weight-measurement.js';

/** One decoded characteristic value, discriminated by `characteristic` (or `uuid`). */
export type GattValue =
  | HeartRateMeasurement
  | BloodPressureMeasurement
  | TemperatureMeasurement
  | GlucoseMeasurement
  | PlxSpotCheckMeasurement
  | PlxContinuousMeasurement
  | WeightMeasurement
  | CurrentTime;

/** Largest characteristic value accepted (an ATT value is at most 512 octets, Core Vol 3 Part F 3.2.9). */
export const GATT_MAX_VALUE_BYTES = 512;

/**
 * Decodes a standard BLE health characteristic value (spec section 3), driven by its flags octet.
 *
 * Attacker-controlled: any BLE peripheral can send these bytes. Errors: E_GATT_UNKNOWN_UUID, E_GATT_TRUNCATED
 * (a field the flags promise is missing), E_GATT_TRAILING_BYTES (bytes no flag accounts for), E_GATT_INVALID
 * (a date-time field out of range, a value above 512 bytes). Reserved flag bits are ignored, as the Core
 * specification asks of receivers, and reported in `reservedFlags`.
 */
export function decodeGattValue(uuid: string, bytes: Uint8Array): GattValue {
  const normalized = normalizeGattUuid(uuid);
  if (!(bytes instanceof Uint8Array) || bytes.length > GATT_MAX_VALUE_BYTES) {
    throw new ProtocolError('E_GATT_INVALID', `a characteristic value is a byte array of at most ${GATT_MAX_VALUE_BYTES} bytes`, {
      details: { uuid: normalized },
    });
  }
  switch (normalized) {
    case GATT_UUIDS.HEART_RATE_MEASUREMENT:
      return decodeHeartRateMeasurement(bytes);
    case GATT_UUIDS.BLOOD_PRESSURE_MEASUREMENT:
      return decodeBloodPressureMeasurement(bytes);
    case GATT_UUIDS.TEMPERATURE_MEASUREMENT:
      return decodeTemperatureMeasurement(bytes);
    case GATT_UUIDS.GLUCOSE_MEASUREMENT:
      return decodeGlucoseMeasurement(bytes);
    case GATT_UUIDS.PLX_SPOT_CHECK_MEASUREMENT:
      return decodePlxSpotCheckMeasurement(bytes);
    case GATT_UUIDS.PLX_CONTINUOUS_MEASUREMENT:
      return decodePlxContinuousMeasurement(bytes);
    case GATT_UUIDS.WEIGHT_MEASUREMENT:
      return decodeWeightMeasurement(bytes);
    case GATT_UUIDS.CURRENT_TIME:
      return decodeCurrentTime(bytes);
  }
}
