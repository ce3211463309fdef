/**
 * Queries over the registry's projection tables (registry-projection.ts): the CLI's `devices list | show`
 * on a stopped gateway's directory, the admin API and export read the registry here.
 */
import type { Database } from 'better-sqlite3';
import type { DeviceKeyPeriod, DeviceRecord, DeviceStatus } from './device-record.js';
import { deviceFromRow, type DeviceRow } from './registry-rows.js';

export interface RegistryChangeSummary {
  readonly index: number;
  readonly deviceId: string;
  readonly op: string;
  readonly atMs: number;
  readonly by: string | null;
  readonly applied: boolean;
  readonly error: string | null;
}

export interface ListDevicesFilter {
  readonly status?: DeviceStatus;
  readonly kind?: string;
  readonly subject?: string;
}

export class RegistryStore {
  constructor(private readonly db: Database) {}

  list(filter: ListDevicesFilter = {}): DeviceRecord[] {
    const rows = this.db
      .prepare<[{ status: string | null; kind: string | null; subject: string | null }], DeviceRow>(
        `SELECT * FROM registry_devices
         WHERE (@status IS NULL OR status = @status) AND (@kind IS NULL OR kind = @kind)
           AND (@subject IS NULL OR subject = @subject)
         ORDER BY id`,
      )
      .all({ status: filter.status ?? null, kind: filter.kind ?? null, subject: filter.subject ?? null });
    return rows.map(deviceFromRow);
  }

  get(id: string): DeviceRecord | undefined {
    const row = this.db.prepare<[string], DeviceRow>('SELECT * FROM registry_devices WHERE id = ?').get(id);
    return row === undefined ? undefined : deviceFromRow(row);
  }

  /** Every key the device held, oldest first; the last one is current. */
  keyHistory(id: string): DeviceKeyPeriod[] {
    const rows = this.db
      .prepare<[string], { since_index: number; public_key: Uint8Array }>(
        'SELECT since_index, public_key FROM registry_keys WHERE device_id = ? ORDER BY since_index',
      )
      .all(id);
    return rows.map((row, i) => ({
      publicKey: new Uint8Array(row.public_key),
      sinceIndex: row.since_index,
      untilIndex: rows[i + 1]?.since_index ?? null,
    }));
  }

  /** The device's registry changes, in log order. */
  changes(id: string): RegistryChangeSummary[] {
    return this.db
      .prepare<[string], { log_index: number; device_id: string; op: string; at_ms: number; by: string | null; applied: number; error: string | null }>(
        'SELECT * FROM registry_changes WHERE device_id = ? ORDER BY log_index',
      )
      .all(id)
      .map((row) => ({
        index: row.log_index,
        deviceId: row.device_id,
        op: row.op,
        atMs: row.at_ms,
        by: row.by,
        applied: row.applied === 1,
        error: row.error,
      }));
  }
}
