import { reservedBits, type GattBitField } from './gatt-bit-field.js';
import { GattReader } from './gatt-reader.js';
import type { Ieee11073Value } from './ieee11073-float.js';
import { plxDeviceAndSensorStatus, plxMeasurementStatus } from './plx-status.js';

export interface PlxReading {
  /** Percent. */
  readonly spo2: Ieee11073Value;
  /** Beats per minute. */
  readonly pulseRateBpm: Ieee11073Value;
}

/** PLX Continuous Measurement, 0x2A5F (Pulse Oximeter Service 0x1822; GATT Specification Supplement). */
export interface PlxContinuousMeasurement {
  readonly characteristic: 'plx_continuous_measurement';
  readonly uuid: '2a5f';
  readonly flags: number;
  readonly normal: PlxReading;
  /** Flags bit 0. */
  readonly fast?: PlxReading;
  /** Flags bit 1. */
  readonly slow?: PlxReading;
  /** Flags bit 2. */
  readonly measurementStatus?: GattBitField;
  /** Flags bit 3 (24 bits). */
  readonly deviceAndSensorStatus?: GattBitField;
  /** Flags bit 4, percent. */
  readonly pulseAmplitudeIndex?: Ieee11073Value;
  readonly reservedFlags: number;
}

const NAME = 'PLX continuous measurement (0x2A5F)';

export function decodePlxContinuousMeasurement(bytes: Uint8Array): PlxContinuousMeasurement {
  const reader = new GattReader(bytes, NAME);
  const flags = reader.uint8('flags');
  const reading = (label: string): PlxReading => ({
    spo2: reader.sfloat(`SpO2PR-${label} SpO2 (SFLOAT, %)`),
    pulseRateBpm: reader.sfloat(`SpO2PR-${label} pulse rate (SFLOAT, bpm)`),
  });
  const normal = reading('Normal');
  const fast = flags & 0x01 ? reading('Fast (flags bit 0)') : undefined;
  const slow = flags & 0x02 ? reading('Slow (flags bit 1)') : undefined;
  const measurementStatus = flags & 0x04 ? plxMeasurementStatus(reader.uint16('measurement status (flags bit 2)')) : undefined;
  const deviceAndSensorStatus = flags & 0x08 ? plxDeviceAndSensorStatus(reader.uint24('device and sensor status (flags bit 3)')) : undefined;
  const pulseAmplitudeIndex = flags & 0x10 ? reader.sfloat('pulse amplitude index (flags bit 4)') : undefined;
  reader.end();
  return {
    characteristic: 'plx_continuous_measurement',
    uuid: '2a5f',
    flags,
    normal,
    ...(fast === undefined ? {} : { fast }),
    ...(slow === undefined ? {} : { slow }),
    ...(measurementStatus === undefined ? {} : { measurementStatus }),
    ...(deviceAndSensorStatus === undefined ? {} : { deviceAndSensorStatus }),
    ...(pulseAmplitudeIndex === undefined ? {} : { pulseAmplitudeIndex }),
    reservedFlags: reservedBits(flags, 0x1f),
  };
}
