import type { ContentType, Transport } from './log-entry.js';

/** The transports of spec section 4. */
export const TRANSPORTS: readonly Transport[] = ['mqtt', 'ble', 'serial', 'admin'];

export function isTransport(value: unknown): value is Transport {
  return typeof value === 'string' && (TRANSPORTS as readonly string[]).includes(value);
}

/**
 * `gatt:` and a lower-case hex characteristic UUID (spec section 4: `gatt:2a37`). Section 3 lists only 16-bit
 * SIG characteristics; 32-bit and full 128-bit UUIDs (32 hex digits, no dashes) are accepted as the same
 * notation written out, so a vendor characteristic needs no format change.
 */
const GATT_CONTENT_TYPE = /^gatt:(?:[0-9a-f]{4}|[0-9a-f]{8}|[0-9a-f]{32})$/;

export function isContentType(value: unknown): value is ContentType {
  return (
    typeof value === 'string' &&
    (value === 'cose-sign1' || value === 'registry' || value === 'gateway' || GATT_CONTENT_TYPE.test(value))
  );
}

export function isGattContentType(value: string): value is `gatt:${string}` {
  return GATT_CONTENT_TYPE.test(value);
}
