import { ProtocolError } from '../errors/protocol-error.js';

/**
 * IEEE 11073-20601 SFLOAT (16 bits: 4-bit signed exponent, 12-bit signed mantissa) and FLOAT (32 bits: 8-bit
 * signed exponent, 24-bit signed mantissa), value = mantissa * 10^exponent, as the Bluetooth health
 * characteristics carry them (GATT Specification Supplement: `medfloat16`, `medfloat32`).
 *
 * The reserved values are kept as what they are, never turned into numbers (a NaN must not become a 0 in a
 * trial record): NaN (not a number), NRes (not at this resolution), +INF, -INF and the value reserved for future
 * use. They are defined with exponent 0 only (SFLOAT 0x07FF, 0x0800, 0x07FE, 0x0802, 0x0801; FLOAT 0x007FFFFF,
 * 0x00800000, 0x007FFFFE, 0x00800002, 0x00800001); the same mantissas with another exponent are ordinary numbers.
 */
export type Ieee11073Value =
  | {
      readonly kind: 'number';
      /** mantissa * 10^exponent, computed as mantissa / 10^-exponent for negative exponents (37.1, not 37.100000000000001). */
      readonly value: number;
      readonly mantissa: number;
      readonly exponent: number;
    }
  | { readonly kind: 'nan' }
  | { readonly kind: 'nres' }
  | { readonly kind: 'positive-infinity' }
  | { readonly kind: 'negative-infinity' }
  | { readonly kind: 'reserved' };

export type Ieee11073SpecialKind = Exclude<Ieee11073Value['kind'], 'number'>;

export function decodeSfloat(raw: number): Ieee11073Value {
  if (!Number.isInteger(raw) || raw < 0 || raw > 0xffff) {
    throw new ProtocolError('E_GATT_INVALID', `an SFLOAT is a 16-bit value, got ${raw}`);
  }
  switch (raw) {
    case 0x07ff:
      return { kind: 'nan' };
    case 0x0800:
      return { kind: 'nres' };
    case 0x07fe:
      return { kind: 'positive-infinity' };
    case 0x0802:
      return { kind: 'negative-infinity' };
    case 0x0801:
      return { kind: 'reserved' };
  }
  return finite(signExtend(raw & 0x0fff, 12), signExtend(raw >>> 12, 4));
}

export function decodeFloat(raw: number): Ieee11073Value {
  if (!Number.isInteger(raw) || raw < 0 || raw > 0xffffffff) {
    throw new ProtocolError('E_GATT_INVALID', `a FLOAT is a 32-bit value, got ${raw}`);
  }
  switch (raw) {
    case 0x007fffff:
      return { kind: 'nan' };
    case 0x00800000:
      return { kind: 'nres' };
    case 0x007ffffe:
      return { kind: 'positive-infinity' };
    case 0x00800002:
      return { kind: 'negative-infinity' };
    case 0x00800001:
      return { kind: 'reserved' };
  }
  return finite(signExtend(raw & 0x00ffffff, 24), signExtend(raw >>> 24, 8));
}

/** Writes an SFLOAT: mantissa in -2048..2047, exponent in -8..7 (specials: pass the kind). */
export function encodeSfloat(value: { readonly mantissa: number; readonly exponent: number } | Ieee11073SpecialKind): number {
  if (typeof value === 'string') return SFLOAT_SPECIALS[value];
  checkRange(value.mantissa, -2048, 2047, 'SFLOAT mantissa');
  checkRange(value.exponent, -8, 7, 'SFLOAT exponent');
  return (((value.exponent & 0xf) << 12) | (value.mantissa & 0x0fff)) >>> 0;
}

/** Writes a FLOAT: mantissa in -2^23..2^23-1, exponent in -128..127 (specials: pass the kind). */
export function encodeFloat(value: { readonly mantissa: number; readonly exponent: number } | Ieee11073SpecialKind): number {
  if (typeof value === 'string') return FLOAT_SPECIALS[value];
  checkRange(value.mantissa, -(2 ** 23), 2 ** 23 - 1, 'FLOAT mantissa');
  checkRange(value.exponent, -128, 127, 'FLOAT exponent');
  return (((value.exponent & 0xff) << 24) | (value.mantissa & 0x00ffffff)) >>> 0;
}

const SFLOAT_SPECIALS: Readonly<Record<Ieee11073SpecialKind, number>> = {
  nan: 0x07ff,
  nres: 0x0800,
  'positive-infinity': 0x07fe,
  'negative-infinity': 0x0802,
  reserved: 0x0801,
};
const FLOAT_SPECIALS: Readonly<Record<Ieee11073SpecialKind, number>> = {
  nan: 0x007fffff,
  nres: 0x00800000,
  'positive-infinity': 0x007ffffe,
  'negative-infinity': 0x00800002,
  reserved: 0x00800001,
};

function finite(mantissa: number, exponent: number): Ieee11073Value {
  const value = exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent;
  // Normalise -0 (mantissa 0 with any sign) to 0, so JSON and equality behave.
  return { kind: 'number', value: value === 0 ? 0 : value, mantissa, exponent };
}

function signExtend(value: number, bits: number): number {
  const sign = 1 << (bits - 1);
  return (value & (sign - 1)) - (value & sign);
}

function checkRange(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError('E_GATT_INVALID', `${what} ${value} is outside ${min}..${max}`);
  }
}
