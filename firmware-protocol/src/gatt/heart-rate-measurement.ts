import { reservedBits } from './gatt-bit-field.js';
import { GattReader } from './gatt-reader.js';

/** Heart Rate Measurement, 0x2A37 (Heart Rate Service 0x180D; GATT Specification Supplement). */
export interface HeartRateMeasurement {
  readonly characteristic: 'heart_rate_measurement';
  readonly uuid: '2a37';
  readonly flags: number;
  /** Flags bit 0: the value was sent as uint8 or uint16. */
  readonly valueFormat: 'uint8' | 'uint16';
  readonly heartRateBpm: number;
  /** Flags bits 1-2: 0 or 1 not supported, 2 supported but no contact, 3 contact detected. */
  readonly sensorContact: 'not-supported' | 'not-detected' | 'detected';
  /** Flags bit 3: kilojoules since the last reset. */
  readonly energyExpendedKj?: number;
  /** Flags bit 4: RR intervals as sent, in units of 1/1024 s. */
  readonly rrIntervals1024?: readonly number[];
  /** The same RR intervals in milliseconds (value * 1000 / 1024). */
  readonly rrIntervalsMs?: readonly number[];
  /** Flag bits 5-7 (reserved for future use) that were set; receivers ignore them. */
  readonly reservedFlags: number;
}

const NAME = 'heart rate measurement (0x2A37)';

export function decodeHeartRateMeasurement(bytes: Uint8Array): HeartRateMeasurement {
  const reader = new GattReader(bytes, NAME);
  const flags = reader.uint8('flags');
  const wide = (flags & 0x01) !== 0;
  const heartRateBpm = wide ? reader.uint16('heart rate value (uint16, flags bit 0 = 1)') : reader.uint8('heart rate value (uint8)');
  const contactBits = (flags >> 1) & 0x03;
  const sensorContact = contactBits === 3 ? 'detected' : contactBits === 2 ? 'not-detected' : 'not-supported';
  const energyExpendedKj = flags & 0x08 ? reader.uint16('energy expended (flags bit 3)') : undefined;
  let rrIntervals1024: number[] | undefined;
  if (flags & 0x10) {
    // Flags bit 4 promises at least one RR interval; all remaining octets are RR intervals, two each.
    if (reader.remaining === 0) reader.uint16('RR interval (flags bit 4 promises at least one)');
    rrIntervals1024 = [];
    while (reader.remaining > 0) rrIntervals1024.push(reader.uint16(`RR interval ${rrIntervals1024.length + 1}`));
  }
  reader.end();
  return {
    characteristic: 'heart_rate_measurement',
    uuid: '2a37',
    flags,
    valueFormat: wide ? 'uint16' : 'uint8',
    heartRateBpm,
    sensorContact,
    ...(energyExpendedKj === undefined ? {} : { energyExpendedKj }),
    ...(rrIntervals1024 === undefined ? {} : { rrIntervals1024, rrIntervalsMs: rrIntervals1024.map((rr) => (rr * 1000) / 1024) }),
    reservedFlags: reservedBits(flags, 0x1f),
  };
}
