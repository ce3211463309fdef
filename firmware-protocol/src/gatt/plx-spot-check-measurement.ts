import { reservedBits, type GattBitField } from './gatt-bit-field.js';
import { readDateTime, type GattDateTime } from './gatt-date-time.js';
import { GattReader } from './gatt-reader.js';
import type { Ieee11073Value } from './ieee11073-float.js';
import { plxDeviceAndSensorStatus, plxMeasurementStatus } from './plx-status.js';

/** PLX Spot-Check Measurement, 0x2A5E (Pulse Oximeter Service 0x1822; GATT Specification Supplement). */
export interface PlxSpotCheckMeasurement {
  readonly characteristic: 'plx_spot_check_measurement';
  readonly uuid: '2a5e';
  readonly flags: number;
  /** Percent. */
  readonly spo2: Ieee11073Value;
  /** Beats per minute. */
  readonly pulseRateBpm: Ieee11073Value;
  /** Flags bit 0. */
  readonly timeStamp?: GattDateTime;
  /** Flags bit 1. */
  readonly measurementStatus?: GattBitField;
  /** Flags bit 2 (24 bits). */
  readonly deviceAndSensorStatus?: GattBitField;
  /** Flags bit 3, percent. */
  readonly pulseAmplitudeIndex?: Ieee11073Value;
  /** Flags bit 4: the device's clock is not set, so its time stamp is not a real time. */
  readonly deviceClockNotSet: boolean;
  readonly reservedFlags: number;
}

const NAME = 'PLX spot-check measurement (0x2A5E)';

export function decodePlxSpotCheckMeasurement(bytes: Uint8Array): PlxSpotCheckMeasurement {
  const reader = new GattReader(bytes, NAME);
  const flags = reader.uint8('flags');
  const spo2 = reader.sfloat('SpO2 (SFLOAT, %)');
  const pulseRateBpm = reader.sfloat('pulse rate (SFLOAT, bpm)');
  const timeStamp = flags & 0x01 ? readDateTime(reader, 'time stamp (flags bit 0)') : undefined;
  const measurementStatus = flags & 0x02 ? plxMeasurementStatus(reader.uint16('measurement status (flags bit 1)')) : undefined;
  const deviceAndSensorStatus = flags & 0x04 ? plxDeviceAndSensorStatus(reader.uint24('device and sensor status (flags bit 2)')) : undefined;
  const pulseAmplitudeIndex = flags & 0x08 ? reader.sfloat('pulse amplitude index (flags bit 3)') : undefined;
  reader.end();
  return {
    characteristic: 'plx_spot_check_measurement',
    uuid: '2a5e',
    flags,
    spo2,
    pulseRateBpm,
    ...(timeStamp === undefined ? {} : { timeStamp }),
    ...(measurementStatus === undefined ? {} : { measurementStatus }),
    ...(deviceAndSensorStatus === undefined ? {} : { deviceAndSensorStatus }),
    ...(pulseAmplitudeIndex === undefined ? {} : { pulseAmplitudeIndex }),
    deviceClockNotSet: (flags & 0x10) !== 0,
    reservedFlags: reservedBits(flags, 0x1f),
  };
}
