import { ProtocolError } from '../errors/protocol-error.js';
import type { GattDateTime } from './gatt-date-time.js';
import { encodeFloat, encodeSfloat, type Ieee11073Value } from './ieee11073-float.js';

/**
 * The writing half of `GattReader`: little-endian fields (Core specification Vol 3 Part G), each checked
 * against its width, so an encoder never writes a value its decoder would read differently. Used by the
 * simulated BLE peripherals and by tests; the gateway itself never re-encodes a value it received (spec
 * section 4: the original bytes are logged as received).
 */
export class GattWriter {
  private readonly bytes: number[] = [];

  constructor(private readonly characteristic: string) {}

  uint8(value: number, field: string): this {
    return this.unsigned(value, 1, field);
  }

  uint16(value: number, field: string): this {
    return this.unsigned(value, 2, field);
  }

  int16(value: number, field: string): this {
    this.check(value, -0x8000, 0x7fff, field);
    return this.unsigned(value & 0xffff, 2, field);
  }

  uint24(value: number, field: string): this {
    return this.unsigned(value, 3, field);
  }

  uint32(value: number, field: string): this {
    return this.unsigned(value, 4, field);
  }

  sfloat(value: Ieee11073Value, field: string): this {
    return this.uint16(encodeSfloat(value.kind === 'number' ? value : value.kind), field);
  }

  float(value: Ieee11073Value, field: string): this {
    return this.uint32(encodeFloat(value.kind === 'number' ? value : value.kind), field);
  }

  /** Date Time (0x2A08): year uint16, month, day, hours, minutes, seconds; the decoder's ranges are checked. */
  dateTime(value: GattDateTime, field: string): this {
    if (value.year !== 0 && (value.year < 1582 || value.year > 9999)) this.fail(`${field}.year`, `${value.year} is not 0 or 1582-9999`);
    this.check(value.month, 0, 12, `${field}.month`);
    this.check(value.day, 0, 31, `${field}.day`);
    this.check(value.hours, 0, 23, `${field}.hours`);
    this.check(value.minutes, 0, 59, `${field}.minutes`);
    this.check(value.seconds, 0, 59, `${field}.seconds`);
    return this.uint16(value.year, `${field}.year`)
      .uint8(value.month, `${field}.month`)
      .uint8(value.day, `${field}.day`)
      .uint8(value.hours, `${field}.hours`)
      .uint8(value.minutes, `${field}.minutes`)
      .uint8(value.seconds, `${field}.seconds`);
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }

  private unsigned(value: number, width: number, field: string): this {
    this.check(value, 0, 2 ** (8 * width) - 1, field);
    for (let i = 0; i < width; i += 1) this.bytes.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
    return this;
  }

  private check(value: number, min: number, max: number, field: string): void {
    if (!Number.isInteger(value) || value < min || value > max) this.fail(field, `${value} is outside ${min}..${max}`);
  }

  private fail(field: string, why: string): never {
    throw new ProtocolError('E_GATT_INVALID', `${this.characteristic}: cannot encode ${field}: ${why}`, {
      details: { characteristic: this.characteristic, field },
    });
  }
}

/**
 * An IEEE 11073 number from a decimal value at a fixed exponent (37.1 at exponent -1: mantissa 371), as a
 * device with that resolution would send it. The mantissa's range is checked by the SFLOAT/FLOAT encoder.
 */
export function ieee11073Number(value: number, exponent: number): Ieee11073Value {
  const mantissa = Math.round(exponent < 0 ? value * 10 ** -exponent : value / 10 ** exponent);
  const exact = exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent;
  return { kind: 'number', value: exact === 0 ? 0 : exact, mantissa, exponent };
}

/** Flags bits for the optional fields that are present. */
export function flagBits(present: readonly (readonly [boolean, number])[]): number {
  let flags = 0;
  for (const [isPresent, bit] of present) if (isPresent) flags |= bit;
  return flags;
}
