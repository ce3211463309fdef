/**
 * Fragmentation of the message service (docs/ble.md): a message (a COSE_Sign1 up, a signed downlink message
 * down) is cut into fragments that each fit one ATT value (MTU - 3 bytes):
 *
 *   byte 0      control: bits 7-6 kind (10 first, 00 middle, 01 last, 11 only), bits 5-0 the fragment's
 *               number modulo 64 (0 for first and only, then 1, 2, ...)
 *   bytes 1-2   first and only: the whole message's length, uint16 little-endian (1-65535)
 *   then        message bytes
 *
 * The number detects a lost or repeated fragment, the length a truncated or overlong message. ATT delivers
 * in order on one connection, so no reordering is needed.
 */
import { BleError } from './ble-error.js';

export const FRAGMENT_FIRST = 0b10;
export const FRAGMENT_MIDDLE = 0b00;
export const FRAGMENT_LAST = 0b01;
export const FRAGMENT_ONLY = 0b11;

/** The smallest ATT value (default MTU 23 - 3): every device and gateway supports it. */
export const MIN_FRAGMENT_SIZE = 20;

/** Cuts `message` into fragments of at most `fragmentSize` bytes each (header included). */
export function fragmentMessage(message: Uint8Array, fragmentSize: number): Uint8Array[] {
  if (message.length === 0 || message.length > 0xffff) {
    throw new BleError('E_BLE_MESSAGE_TOO_LARGE', `a message-service message is 1-65535 bytes, not ${message.length}`);
  }
  const size = Math.max(MIN_FRAGMENT_SIZE, Math.min(512, Math.floor(fragmentSize)));
  const fragments: Uint8Array[] = [];
  const firstRoom = size - 3;
  const length = message.length;
  const first = new Uint8Array(Math.min(size, length + 3));
  first[0] = (length <= firstRoom ? FRAGMENT_ONLY : FRAGMENT_FIRST) << 6;
  first[1] = length & 0xff;
  first[2] = length >> 8;
  first.set(message.subarray(0, firstRoom), 3);
  fragments.push(first);
  let number = 1;
  for (let at = firstRoom; at < length; at += size - 1, number += 1) {
    const chunk = message.subarray(at, at + size - 1);
    const last = at + chunk.length >= length;
    const fragment = new Uint8Array(chunk.length + 1);
    fragment[0] = ((last ? FRAGMENT_LAST : FRAGMENT_MIDDLE) << 6) | (number & 0x3f);
    fragment.set(chunk, 1);
    fragments.push(fragment);
  }
  return fragments;
}
