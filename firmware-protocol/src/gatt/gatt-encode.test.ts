import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError } from '../errors/protocol-error.js';
import { encodeBloodPressureMeasurement } from './blood-pressure-measurement-encode.js';
import { encodeCurrentTime, gattDateTimeOf } from './current-time-encode.js';
import { decodeGattValue } from './decode-gatt-value.js';
import type { GattDateTime } from './gatt-date-time.js';
import { ieee11073Number } from './gatt-encode-writer.js';
import { encodeGlucoseMeasurement } from './glucose-measurement-encode.js';
import { encodeHeartRateMeasurement } from './heart-rate-measurement-encode.js';
import type { Ieee11073Value } from './ieee11073-float.js';
import { encodePlxContinuousMeasurement } from './plx-continuous-measurement-encode.js';
import { encodePlxSpotCheckMeasurement } from './plx-spot-check-measurement-encode.js';
import { encodeTemperatureMeasurement } from './temperature-measurement-encode.js';
import { encodeWeightMeasurement, weightRawFromKg } from './weight-measurement-encode.js';

const hex = (s: string): string => s.replace(/\s/g, '');
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const n = (mantissa: number, exponent = 0): Ieee11073Value => ({ kind: 'number', value: exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent, mantissa, exponent });
const time: GattDateTime = { year: 2025, month: 3, day: 15, hours: 10, minutes: 30, seconds: 0 };

describe('GATT encoders: the known values of the decoder tests', () => {
  it('heart rate 0x2A37', () => {
    expect(toHex(encodeHeartRateMeasurement({ heartRateBpm: 72 }))).toBe('0048');
    expect(toHex(encodeHeartRateMeasurement({ heartRateBpm: 72, valueFormat: 'uint16', sensorContact: 'detected', energyExpendedKj: 10, rrIntervals1024: [1024, 512] }))).toBe(
      hex('1f 4800 0a00 0004 0002'),
    );
  });
  it('blood pressure 0x2A35', () => {
    expect(
      toHex(encodeBloodPressureMeasurement({ systolic: n(120), diastolic: n(80), meanArterialPressure: n(93), timeStamp: time, pulseRateBpm: n(64), userId: 1, measurementStatusRaw: 9 })),
    ).toBe(hex('1e 7800 5000 5d00 e907030f0a1e00 4000 01 0900'));
    expect(toHex(encodeBloodPressureMeasurement({ unit: 'kPa', systolic: n(160, -1), diastolic: n(170, -1), meanArterialPressure: { kind: 'nan' } }))).toBe(hex('01 a0f0 aaf0 ff07'));
  });
  it('temperature 0x2A1C', () => {
    expect(toHex(encodeTemperatureMeasurement({ temperature: ieee11073Number(37.1, -1), timeStamp: time, temperatureTypeCode: 2 }))).toBe(hex('06 730100ff e907030f0a1e00 02'));
  });
  it('glucose 0x2A18', () => {
    expect(
      toHex(
        encodeGlucoseMeasurement({
          sequenceNumber: 7,
          baseTime: time,
          timeOffsetMinutes: -10,
          concentration: { value: n(95, -5), unit: 'kg/L', typeCode: 1, sampleLocationCode: 1 },
          sensorStatusRaw: 0x0801,
          contextInformationFollows: true,
        }),
      ),
    ).toBe(hex('1b 0700 e907030f0a1e00 f6ff 5fb0 11 0108'));
  });
  it('PLX spot check 0x2A5E with "clock not set", and continuous 0x2A5F', () => {
    expect(
      toHex(
        encodePlxSpotCheckMeasurement({
          spo2: n(97),
          pulseRateBpm: n(72),
          timeStamp: time,
          measurementStatusRaw: 0x80,
          deviceAndSensorStatusRaw: 0x20,
          pulseAmplitudeIndex: n(250),
          deviceClockNotSet: true,
        }),
      ),
    ).toBe(hex('1f 6100 4800 e907030f0a1e00 8000 2000 00 fa00'));
    expect(
      toHex(
        encodePlxContinuousMeasurement({
          normal: { spo2: n(97), pulseRateBpm: n(72) },
          fast: { spo2: n(98), pulseRateBpm: n(73) },
          slow: { spo2: n(96), pulseRateBpm: n(71) },
          deviceAndSensorStatusRaw: 0x018000,
        }),
      ),
    ).toBe(hex('0b 6100 4800 6200 4900 6000 4700 008001'));
  });
  it('weight 0x2A9D', () => {
    expect(toHex(encodeWeightMeasurement({ weightRaw: weightRawFromKg(70), userId: 3, bmiAndHeightRaw: { bmi: 229, height: 1750 } }))).toBe(hex('0c b036 03 e500 d606'));
  });
  it('current time 0x2A2B, with the day of week computed', () => {
    expect(toHex(encodeCurrentTime({ dateTime: time, fractions256: 128, adjustReasonRaw: 2 }))).toBe(hex('e907030f0a1e00 06 80 02'));
    const at = gattDateTimeOf(Date.UTC(2025, 2, 15, 10, 30, 0, 500), 60);
    expect(at).toStrictEqual({ dateTime: { ...time, hours: 11 }, fractions256: 128 });
  });
});

describe('GATT encoders: properties', () => {
  const sfloat = fc.oneof(
    fc.record({ mantissa: fc.integer({ min: -2045, max: 2045 }), exponent: fc.integer({ min: -8, max: 7 }) }).map(({ mantissa, exponent }) => n(mantissa, exponent)),
    fc.constantFrom<Ieee11073Value>({ kind: 'nan' }, { kind: 'nres' }, { kind: 'positive-infinity' }, { kind: 'negative-infinity' }),
  );
  const dateTime = fc.record({
    year: fc.oneof(fc.constant(0), fc.integer({ min: 1582, max: 9999 })),
    month: fc.integer({ min: 0, max: 12 }),
    day: fc.integer({ min: 0, max: 31 }),
    hours: fc.integer({ min: 0, max: 23 }),
    minutes: fc.integer({ min: 0, max: 59 }),
    seconds: fc.integer({ min: 0, max: 59 }),
  });
  it('every encoded heart rate, blood pressure and PLX value decodes to what was encoded', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
        fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 8 }),
        (bpm, energy, rr) => {
          const value = decodeGattValue('2a37', encodeHeartRateMeasurement({ heartRateBpm: bpm, ...(energy === undefined ? {} : { energyExpendedKj: energy }), rrIntervals1024: rr }));
          expect(value).toMatchObject({ heartRateBpm: bpm, ...(energy === undefined ? {} : { energyExpendedKj: energy }) });
          if (rr.length > 0) expect(value).toMatchObject({ rrIntervals1024: rr });
        },
      ),
    );
    fc.assert(
      fc.property(sfloat, sfloat, sfloat, fc.option(dateTime, { nil: undefined }), fc.option(sfloat, { nil: undefined }), (sys, dia, map, ts, pulse) => {
        const value = decodeGattValue(
          '2a35',
          encodeBloodPressureMeasurement({ systolic: sys, diastolic: dia, meanArterialPressure: map, ...(ts === undefined ? {} : { timeStamp: ts }), ...(pulse === undefined ? {} : { pulseRateBpm: pulse }) }),
        );
        expect(value).toMatchObject({ systolic: sys, diastolic: dia, meanArterialPressure: map, ...(ts === undefined ? {} : { timeStamp: ts }) });
      }),
    );
    fc.assert(
      fc.property(sfloat, sfloat, fc.boolean(), fc.option(fc.integer({ min: 0, max: 0xffffff }), { nil: undefined }), (spo2, pr, clockNotSet, status) => {
        const value = decodeGattValue(
          '2a5e',
          encodePlxSpotCheckMeasurement({ spo2, pulseRateBpm: pr, deviceClockNotSet: clockNotSet, ...(status === undefined ? {} : { deviceAndSensorStatusRaw: status }) }),
        );
        expect(value).toMatchObject({ spo2, pulseRateBpm: pr, deviceClockNotSet: clockNotSet });
      }),
    );
  });
  it('refuses values that do not fit their field with E_GATT_INVALID', () => {
    const codeOf = (fn: () => unknown): string => {
      try {
        fn();
        return 'none';
      } catch (error) {
        return isProtocolError(error) ? error.code : 'other';
      }
    };
    expect(codeOf(() => encodeHeartRateMeasurement({ heartRateBpm: 300, valueFormat: 'uint8' }))).toBe('E_GATT_INVALID');
    expect(codeOf(() => encodeHeartRateMeasurement({ heartRateBpm: -1 }))).toBe('E_GATT_INVALID');
    expect(codeOf(() => encodeBloodPressureMeasurement({ systolic: n(5000), diastolic: n(1), meanArterialPressure: n(1) }))).toBe('E_GATT_INVALID');
    expect(codeOf(() => encodeCurrentTime({ dateTime: { ...time, month: 13 } }))).toBe('E_GATT_INVALID');
    expect(codeOf(() => encodeWeightMeasurement({ weightRaw: 70_000 }))).toBe('E_GATT_INVALID');
  });
});
