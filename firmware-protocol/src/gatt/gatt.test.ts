import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError } from '../errors/protocol-error.js';
import { decodeGattValue } from './decode-gatt-value.js';
import { GATT_UUIDS, normalizeGattUuid } from './gatt-uuids.js';
import { decodeFloat, decodeSfloat, encodeFloat, encodeSfloat } from './ieee11073-float.js';
import { protocolErrorCodeOf } from '../testing/protocol-error-code-of.js';
import { hex } from '../testing/hex.js';

describe('IEEE 11073-20601 SFLOAT and FLOAT', () => {
  it('decodes numbers exactly as mantissa * 10^exponent', () => {
    expect(decodeSfloat(0x0072)).toStrictEqual({ kind: 'number', value: 114, mantissa: 114, exponent: 0 });
    expect(decodeSfloat(0xf16e)).toStrictEqual({ kind: 'number', value: 36.6, mantissa: 366, exponent: -1 });
    expect(decodeSfloat(0xffff)).toStrictEqual({ kind: 'number', value: -0.1, mantissa: -1, exponent: -1 });
    expect(decodeSfloat(0x2001)).toStrictEqual({ kind: 'number', value: 100, mantissa: 1, exponent: 2 });
    expect(decodeSfloat(0x8800)).toStrictEqual({ kind: 'number', value: -2.048e-5, mantissa: -2048, exponent: -8 });
    expect(decodeFloat(0xff000173)).toStrictEqual({ kind: 'number', value: 37.1, mantissa: 371, exponent: -1 });
    expect(decodeFloat(0xfe00e4e1)).toStrictEqual({ kind: 'number', value: 585.93, mantissa: 58593, exponent: -2 });
    expect(decodeFloat(0x00ffffff)).toStrictEqual({ kind: 'number', value: -1, mantissa: -1, exponent: 0 });
    expect(decodeSfloat(0xf000)).toStrictEqual({ kind: 'number', value: 0, mantissa: 0, exponent: -1 });
  });

  it('keeps the reserved values explicit, never as plain numbers', () => {
    expect(decodeSfloat(0x07ff)).toStrictEqual({ kind: 'nan' });
    expect(decodeSfloat(0x0800)).toStrictEqual({ kind: 'nres' });
    expect(decodeSfloat(0x07fe)).toStrictEqual({ kind: 'positive-infinity' });
    expect(decodeSfloat(0x0802)).toStrictEqual({ kind: 'negative-infinity' });
    expect(decodeSfloat(0x0801)).toStrictEqual({ kind: 'reserved' });
    expect(decodeFloat(0x007fffff)).toStrictEqual({ kind: 'nan' });
    expect(decodeFloat(0x00800000)).toStrictEqual({ kind: 'nres' });
    expect(decodeFloat(0x007ffffe)).toStrictEqual({ kind: 'positive-infinity' });
    expect(decodeFloat(0x00800002)).toStrictEqual({ kind: 'negative-infinity' });
    expect(decodeFloat(0x00800001)).toStrictEqual({ kind: 'reserved' });
    // The same mantissas with a non-zero exponent are ordinary numbers.
    expect(decodeSfloat(0x17ff)).toStrictEqual({ kind: 'number', value: 20470, mantissa: 2047, exponent: 1 });
  });

  it('round-trips every 16-bit SFLOAT and sampled 32-bit FLOATs through encode', () => {
    for (let raw = 0; raw <= 0xffff; raw += 1) {
      const value = decodeSfloat(raw);
      expect(encodeSfloat(value.kind === 'number' ? value : value.kind)).toBe(raw);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (raw) => {
        const value = decodeFloat(raw);
        expect(encodeFloat(value.kind === 'number' ? value : value.kind)).toBe(raw);
      }),
    );
  });
});

describe('GATT UUIDs', () => {
  it('normalises short, prefixed and full Bluetooth Base UUIDs', () => {
    expect(normalizeGattUuid('2A37')).toBe('2a37');
    expect(normalizeGattUuid('0x2a35')).toBe('2a35');
    expect(normalizeGattUuid('00002A1C-0000-1000-8000-00805F9B34FB')).toBe('2a1c');
    expect(protocolErrorCodeOf(() => normalizeGattUuid('2a19'))).toBe('E_GATT_UNKNOWN_UUID');
    expect(protocolErrorCodeOf(() => normalizeGattUuid('10002a37-0000-1000-8000-00805f9b34fb'))).toBe('E_GATT_UNKNOWN_UUID');
  });
});

describe('heart rate measurement 0x2A37', () => {
  it('reads an 8-bit value without options', () => {
    expect(decodeGattValue('2a37', hex('00 48'))).toStrictEqual({
      characteristic: 'heart_rate_measurement',
      uuid: '2a37',
      flags: 0,
      valueFormat: 'uint8',
      heartRateBpm: 72,
      sensorContact: 'not-supported',
      reservedFlags: 0,
    });
  });

  it('reads a 16-bit value, contact, energy expended and RR intervals in 1/1024 s', () => {
    expect(decodeGattValue('2a37', hex('1f 4800 0a00 0004 0002'))).toMatchObject({
      valueFormat: 'uint16',
      heartRateBpm: 72,
      sensorContact: 'detected',
      energyExpendedKj: 10,
      rrIntervals1024: [1024, 512],
      rrIntervalsMs: [1000, 500],
    });
    expect(decodeGattValue('2a37', hex('04 48'))).toMatchObject({ sensorContact: 'not-detected' });
  });

  it('reports truncation and trailing bytes precisely', () => {
    expect(protocolErrorCodeOf(() => decodeGattValue('2a37', hex('')))).toBe('E_GATT_TRUNCATED');
    expect(protocolErrorCodeOf(() => decodeGattValue('2a37', hex('01 48')))).toBe('E_GATT_TRUNCATED');
    expect(protocolErrorCodeOf(() => decodeGattValue('2a37', hex('08 48 0a')))).toBe('E_GATT_TRUNCATED');
    expect(protocolErrorCodeOf(() => decodeGattValue('2a37', hex('10 48')))).toBe('E_GATT_TRUNCATED');
    expect(protocolErrorCodeOf(() => decodeGattValue('2a37', hex('10 48 0004 00')))).toBe('E_GATT_TRUNCATED');
    expect(protocolErrorCodeOf(() => decodeGattValue('2a37', hex('00 48 00')))).toBe('E_GATT_TRAILING_BYTES');
    try {
      decodeGattValue('2a37', hex('08 48 0a'));
    } catch (error) {
      expect(isProtocolError(error) && error.message).toContain('energy expended (flags bit 3) needs 2 byte(s) at offset 2');
    }
  });

  it('ignores reserved flag bits but reports them', () => {
    expect(decodeGattValue('2a37', hex('e0 48'))).toMatchObject({ heartRateBpm: 72, reservedFlags: 0xe0 });
  });
});

describe('blood pressure measurement 0x2A35', () => {
  it('reads mmHg with every optional field', () => {
    // 120/80 mmHg, MAP 93, 2025-03-15 10:30:00, pulse 64, user 1, status: body movement + pulse above range.
    expect(decodeGattValue('2a35', hex('1e 7800 5000 5d00 e907030f0a1e00 4000 01 0900'))).toStrictEqual({
      characteristic: 'blood_pressure_measurement',
      uuid: '2a35',
      flags: 0x1e,
      unit: 'mmHg',
      systolic: { kind: 'number', value: 120, mantissa: 120, exponent: 0 },
      diastolic: { kind: 'number', value: 80, mantissa: 80, exponent: 0 },
      meanArterialPressure: { kind: 'number', value: 93, mantissa: 93, exponent: 0 },
      timeStamp: { year: 2025, month: 3, day: 15, hours: 10, minutes: 30, seconds: 0 },
      pulseRateBpm: { kind: 'number', value: 64, mantissa: 64, exponent: 0 },
      userId: 1,
      measurementStatus: { raw: 0x0009, set: ['body-movement-detected', 'pulse-rate-exceeds-upper-limit'] },
      reservedFlags: 0,
    });
  });

  it('reads kPa and a NaN MAP as sent', () => {
    expect(decodeGattValue('2a35', hex('01 a0f0 aaf0 ff07'))).toMatchObject({
      unit: 'kPa',
      systolic: { kind: 'number', value: 16, mantissa: 160, exponent: -1 },
      diastolic: { kind: 'number', value: 17, mantissa: 170, exponent: -1 },
      meanArterialPressure: { kind: 'nan' },
    });
  });

  it('rejects a value whose flags promise a time stamp that is cut off, and an impossible month', () => {
    expect(protocolErrorCodeOf(() => decodeGattValue('2a35', hex('02 7800 5000 5d00 e90703')))).toBe('E_GATT_TRUNCATED');
    expect(protocolErrorCodeOf(() => decodeGattValue('2a35', hex('02 7800 5000 5d00 e9070d0f0a1e00')))).toBe('E_GATT_INVALID');
  });
});

describe('temperature measurement 0x2A1C', () => {
  it('reads Celsius FLOAT, time stamp and type', () => {
    expect(decodeGattValue('2a1c', hex('06 730100ff e907030f0a1e00 02'))).toStrictEqual({
      characteristic: 'temperature_measurement',
      uuid: '2a1c',
      flags: 6,
      unit: 'celsius',
      temperature: { kind: 'number', value: 37.1, mantissa: 371, exponent: -1 },
      timeStamp: { year: 2025, month: 3, day: 15, hours: 10, minutes: 30, seconds: 0 },
      temperatureType: { code: 2, name: 'body' },
      reservedFlags: 0,
    });
  });

  it('reads Fahrenheit and the special FLOAT values', () => {
    expect(decodeGattValue('2a1c', hex('01 feff7f00'))).toMatchObject({ unit: 'fahrenheit', temperature: { kind: 'positive-infinity' } });
    expect(decodeGattValue('2a1c', hex('00 00008000'))).toMatchObject({ temperature: { kind: 'nres' } });
  });
});

describe('glucose measurement 0x2A18', () => {
  it('reads sequence number, base time, offset, concentration, type/location nibbles and status', () => {
    // 95 mg/dL = 0.00095 kg/L: SFLOAT mantissa 95, exponent -5 -> 0xb05f.
    expect(decodeGattValue('2a18', hex('1b 0700 e907030f0a1e00 f6ff 5fb0 11 0108'))).toStrictEqual({
      characteristic: 'glucose_measurement',
      uuid: '2a18',
      flags: 0x1b,
      sequenceNumber: 7,
      baseTime: { year: 2025, month: 3, day: 15, hours: 10, minutes: 30, seconds: 0 },
      timeOffsetMinutes: -10,
      concentration: {
        value: { kind: 'number', value: 0.00095, mantissa: 95, exponent: -5 },
        unit: 'kg/L',
        type: { code: 1, name: 'capillary-whole-blood' },
        sampleLocation: { code: 1, name: 'finger' },
      },
      sensorStatus: { raw: 0x0801, set: ['device-battery-low', 'time-fault'] },
      contextInformationFollows: true,
      reservedFlags: 0,
    });
  });

  it('reads mol/L and a location that is not available', () => {
    expect(decodeGattValue('2a18', hex('06 0100 00000000000000 53d0 f9'))).toMatchObject({
      baseTime: { year: 0, month: 0, day: 0 },
      concentration: { unit: 'mol/L', type: { code: 9, name: 'interstitial-fluid' }, sampleLocation: { code: 15, name: 'not-available' } },
    });
  });
});

describe('PLX measurements 0x2A5E and 0x2A5F', () => {
  it('reads a spot check with every field and "device clock is not set"', () => {
    expect(decodeGattValue('2a5e', hex('1f 6100 4800 e907030f0a1e00 8000 2000 00 fa00'))).toStrictEqual({
      characteristic: 'plx_spot_check_measurement',
      uuid: '2a5e',
      flags: 0x1f,
      spo2: { kind: 'number', value: 97, mantissa: 97, exponent: 0 },
      pulseRateBpm: { kind: 'number', value: 72, mantissa: 72, exponent: 0 },
      timeStamp: { year: 2025, month: 3, day: 15, hours: 10, minutes: 30, seconds: 0 },
      measurementStatus: { raw: 0x0080, set: ['validated-data'] },
      deviceAndSensorStatus: { raw: 0x000020, set: ['low-perfusion-detected'] },
      pulseAmplitudeIndex: { kind: 'number', value: 250, mantissa: 250, exponent: 0 },
      deviceClockNotSet: true,
      reservedFlags: 0,
    });
  });

  it('reads a continuous measurement with fast and slow readings and a 24-bit status', () => {
    expect(decodeGattValue('2a5f', hex('0b 6100 4800 6200 4900 6000 4700 008001'))).toMatchObject({
      normal: { spo2: { value: 97 }, pulseRateBpm: { value: 72 } },
      fast: { spo2: { value: 98 }, pulseRateBpm: { value: 73 } },
      slow: { spo2: { value: 96 }, pulseRateBpm: { value: 71 } },
      deviceAndSensorStatus: { raw: 0x018000, set: ['sensor-disconnected', 'reserved-bit-16'] },
    });
    expect(protocolErrorCodeOf(() => decodeGattValue('2a5f', hex('04 6100 4800 80')))).toBe('E_GATT_TRUNCATED');
  });
});

describe('weight measurement 0x2A9D', () => {
  it('reads SI weight (0.005 kg), user, BMI and height (0.001 m)', () => {
    // 70 kg = 14000 * 0.005; BMI 22.9; height 1.750 m.
    expect(decodeGattValue('2a9d', hex('0c b036 03 e500 d606'))).toStrictEqual({
      characteristic: 'weight_measurement',
      uuid: '2a9d',
      flags: 0x0c,
      units: 'si',
      weight: { kind: 'number', raw: 14000, value: 70, unit: 'kg' },
      userId: 3,
      bmi: { kind: 'number', raw: 229, value: 22.9, unit: 'kg/m2' },
      height: { kind: 'number', raw: 1750, value: 1.75, unit: 'm' },
      reservedFlags: 0,
    });
  });

  it('reads imperial units and "measurement unsuccessful"', () => {
    expect(decodeGattValue('2a9d', hex('01 5a3c'))).toMatchObject({ units: 'imperial', weight: { value: 154.5, unit: 'lb' } });
    expect(decodeGattValue('2a9d', hex('00 ffff'))).toMatchObject({ weight: { kind: 'measurement-unsuccessful', raw: 0xffff } });
  });
});

describe('current time 0x2A2B', () => {
  it('reads exact time 256 and the adjust reason', () => {
    expect(decodeGattValue('2a2b', hex('e907030f0a1e00 06 80 02'))).toStrictEqual({
      characteristic: 'current_time',
      uuid: '2a2b',
      dateTime: { year: 2025, month: 3, day: 15, hours: 10, minutes: 30, seconds: 0 },
      dayOfWeek: 6,
      fractions256: 128,
      adjustReason: { raw: 2, set: ['external-reference-time-update'] },
    });
    expect(protocolErrorCodeOf(() => decodeGattValue('2a2b', hex('e907030f0a1e00 08 80 02')))).toBe('E_GATT_INVALID');
    expect(protocolErrorCodeOf(() => decodeGattValue('2a2b', hex('e907030f0a1e00 06 80')))).toBe('E_GATT_TRUNCATED');
  });
});

describe('GATT decoders: fuzz', () => {
  const uuids = Object.values(GATT_UUIDS);

  it('never throw anything but a ProtocolError on arbitrary values, and every result is plain JSON data', () => {
    fc.assert(
      fc.property(fc.constantFrom(...uuids), fc.uint8Array({ maxLength: 40 }), (uuid, bytes) => {
        try {
          const value = decodeGattValue(uuid, bytes);
          expect(JSON.parse(JSON.stringify(value))).toStrictEqual(value);
        } catch (error) {
          expect(isProtocolError(error) && error.code.startsWith('E_GATT_')).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('never throw anything but a ProtocolError on mutated valid values', () => {
    const valid: readonly [string, string][] = [
      ['2a37', '1f 4800 0a00 0004 0002'],
      ['2a35', '1e 7800 5000 5d00 e907030f0a1e00 4000 01 0900'],
      ['2a1c', '06 730100ff e907030f0a1e00 02'],
      ['2a18', '1b 0700 e907030f0a1e00 f6ff 5fb0 11 0108'],
      ['2a5e', '1f 6100 4800 e907030f0a1e00 8000 2000 00 fa00'],
      ['2a5f', '1f 6100 4800 6200 4900 6000 4700 8000 008001 fa00'],
      ['2a9d', '0e b036 e907030f0a1e00 03 e500 d606'],
      ['2a2b', 'e907030f0a1e00 06 80 02'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat({ max: 2 }), ([uuid, text], position, xor, op) => {
        const bytes = Array.from(hex(text));
        const at = position % bytes.length;
        if (op === 0) bytes[at]! ^= xor;
        else if (op === 1) bytes.splice(at, 1);
        else bytes.splice(at, 0, xor);
        const code = protocolErrorCodeOf(() => decodeGattValue(uuid, Uint8Array.from(bytes)));
        expect(code === 'none' || code.startsWith('E_GATT_')).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});
