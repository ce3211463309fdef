/**
 * A log entry (spec section 4): one Merkle leaf, the CBOR array
 * `[1, receivedAtMs, transport, deviceId, contentType, original]`.
 *
 * `original` is exactly the bytes received from the device (ALCOA+ "original"; 21 CFR 11.10(b)), never
 * re-encoded. The encoded entry bytes are what is stored and hashed; nobody re-encodes them later.
 */
export const LOG_ENTRY_VERSION = 1;

export type Transport = 'mqtt' | 'ble' | 'serial' | 'admin';

/** `cose-sign1`, `gatt:<lower-case hex uuid>`, `registry` or `gateway`. */
export type ContentType = 'cose-sign1' | 'registry' | 'gateway' | `gatt:${string}`;

export interface LogEntry {
  readonly receivedAtMs: number;
  readonly transport: Transport;
  readonly deviceId: string;
  readonly contentType: ContentType;
  readonly original: Uint8Array;
}
