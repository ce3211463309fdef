/** The SQLite row shape of `registry_devices` and its mapping to a `DeviceRecord`. */
import type { DeviceRecord, DeviceStatus, DeviceTransport } from './device-record.js';

export interface DeviceRow {
  readonly id: string;
  readonly kind: string;
  /** NULL: enrolled without a key. */
  readonly public_key: Uint8Array | null;
  readonly transports: string;
  readonly status: string;
  readonly subject: string | null;
  readonly enrolled_index: number;
  readonly enrolled_at_ms: number;
  readonly updated_index: number;
  readonly updated_at_ms: number;
  readonly key_since_index: number;
  readonly ble_address?: string | null;
  readonly ble_name?: string | null;
}

export function deviceFromRow(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    kind: row.kind,
    publicKey: row.public_key === null ? null : new Uint8Array(row.public_key),
    transports: row.transports.split(',').filter((t) => t !== '') as DeviceTransport[],
    status: row.status as DeviceStatus,
    subject: row.subject,
    enrolledIndex: row.enrolled_index,
    enrolledAtMs: row.enrolled_at_ms,
    updatedIndex: row.updated_index,
    updatedAtMs: row.updated_at_ms,
    keySinceIndex: row.key_since_index,
    ...((row.ble_address ?? null) === null && (row.ble_name ?? null) === null ? {} : { ble: { address: row.ble_address ?? null, name: row.ble_name ?? null } }),
  };
}
