/**
 * The Trialgate message service's fragments as a device implements them (docs/ble.md), written here from the
 * document on its own, as a device maker would (the gateway has its own implementation; the tests run one
 * against the other):
 *
 *   byte 0: kind (bits 7-6: 10 first, 00 middle, 01 last, 11 only) | number mod 64 (bits 5-0)
 *   first and only: bytes 1-2 = total length, uint16 little-endian; then message bytes
 */

/** UUIDs in noble's form (docs/ble.md gives the dashed form). */
export const MESSAGE_SERVICE = '6e7a00011b8c4f6e9d2a7c3e5b40a1f2';
export const MESSAGE_UPLINK = '6e7a00021b8c4f6e9d2a7c3e5b40a1f2';
export const MESSAGE_DOWNLINK = '6e7a00031b8c4f6e9d2a7c3e5b40a1f2';

export function fragmentBleMessage(message: Uint8Array, valueSize: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  let number = 0;
  while (offset < message.length || number === 0) {
    const header = number === 0 ? 3 : 1;
    const take = Math.min(valueSize - header, message.length - offset);
    const last = offset + take >= message.length;
    const kind = number === 0 ? (last ? 0b11 : 0b10) : last ? 0b01 : 0b00;
    const fragment = new Uint8Array(header + take);
    fragment[0] = (kind << 6) | (number % 64);
    if (number === 0) new DataView(fragment.buffer).setUint16(1, message.length, true);
    fragment.set(message.subarray(offset, offset + take), header);
    out.push(fragment);
    offset += take;
    number += 1;
  }
  return out;
}

/** Collects downlink fragments; returns a message when complete, null otherwise (bad sequences reset it). */
export class BleMessageCollector {
  private parts: Uint8Array[] = [];
  private expected = 0;
  private received = 0;
  private next = 0;

  // Attacker-controlled on a device: whatever is written to its downlink characteristic.
  push(fragment: Uint8Array): Uint8Array | null {
    if (fragment.length === 0) return null;
    const kind = (fragment[0] as number) >> 6;
    const number = (fragment[0] as number) & 0x3f;
    if (kind === 0b10 || kind === 0b11) {
      if (fragment.length < 3 || number !== 0) return this.reset();
      this.expected = (fragment[1] as number) | ((fragment[2] as number) << 8);
      this.parts = [fragment.subarray(3)];
      this.received = fragment.length - 3;
      this.next = 1;
    } else {
      if (this.parts.length === 0 || number !== this.next % 64) return this.reset();
      this.parts.push(fragment.subarray(1));
      this.received += fragment.length - 1;
      this.next += 1;
    }
    if (this.received > this.expected) return this.reset();
    const ends = kind === 0b11 || kind === 0b01;
    if (!ends) return null;
    if (this.received !== this.expected) return this.reset();
    const message = new Uint8Array(this.expected);
    let at = 0;
    for (const part of this.parts) {
      message.set(part, at);
      at += part.length;
    }
    this.reset();
    return message;
  }

  reset(): null {
    this.parts = [];
    this.expected = 0;
    this.received = 0;
    this.next = 0;
    return null;
  }
}
