import { ProtocolError } from '../errors/protocol-error.js';
import { decodeFloat, decodeSfloat, type Ieee11073Value } from './ieee11073-float.js';

/**
 * A little-endian cursor over a characteristic value (all multi-octet GATT fields are little-endian, Core
 * specification Vol 3 Part G). Every read names the field it reads, so that a truncated value says which field
 * its flags promised and where (E_GATT_TRUNCATED).
 *
 * Attacker-controlled: the bytes come from any BLE peripheral in range that pairs.
 */
export class GattReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly characteristic: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  uint8(field: string): number {
    this.need(1, field);
    const value = this.view.getUint8(this.offset);
    this.offset += 1;
    return value;
  }

  uint16(field: string): number {
    this.need(2, field);
    const value = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return value;
  }

  int16(field: string): number {
    this.need(2, field);
    const value = this.view.getInt16(this.offset, true);
    this.offset += 2;
    return value;
  }

  uint24(field: string): number {
    this.need(3, field);
    const value = this.view.getUint16(this.offset, true) | (this.view.getUint8(this.offset + 2) << 16);
    this.offset += 3;
    return value;
  }

  uint32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  sfloat(field: string): Ieee11073Value {
    return decodeSfloat(this.uint16(field));
  }

  float(field: string): Ieee11073Value {
    return decodeFloat(this.uint32(field));
  }

  /** E_GATT_TRAILING_BYTES when bytes remain that no flag accounts for. */
  end(): void {
    if (this.remaining > 0) {
      throw new ProtocolError(
        'E_GATT_TRAILING_BYTES',
        `${this.characteristic}: ${this.remaining} byte(s) at offset ${this.offset} that no flag accounts for`,
        { details: { characteristic: this.characteristic, offset: this.offset, trailing: this.remaining } },
      );
    }
  }

  invalid(field: string, message: string, at: number = this.offset): ProtocolError {
    return new ProtocolError('E_GATT_INVALID', `${this.characteristic}: ${field} ${message}`, {
      details: { characteristic: this.characteristic, field, offset: at },
    });
  }

  private need(count: number, field: string): void {
    if (this.remaining < count) {
      throw new ProtocolError(
        'E_GATT_TRUNCATED',
        `${this.characteristic}: ${field} needs ${count} byte(s) at offset ${this.offset}, only ${this.remaining} remain (value is ${this.bytes.length} bytes)`,
        { details: { characteristic: this.characteristic, field, offset: this.offset, needed: count, length: this.bytes.length } },
      );
    }
  }
}
