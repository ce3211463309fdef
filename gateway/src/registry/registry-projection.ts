/**
 * The registry's SQLite tables, a `LogProjection` of the `registry` entries (spec section 4): the log is
 * the source of truth and these tables are rebuilt from it, so the registry's audit trail is exactly as
 * tamper-evident as the readings.
 *
 *   registry_devices   one row per device: its current state (public_key NULL: enrolled without a key)
 *   registry_keys      every key a device held, from the log index of its enrolment or rotation (a device
 *                      enrolled without a key has a row from its first rotate-key on)
 *   registry_changes   one row per registry entry (applied = 0 and `error` set when a logged change did not
 *                      apply, which the admin path never writes but a replay must survive)
 */
import type { Database, Statement } from 'better-sqlite3';
import type { CommittedEntry } from '../storage/gateway-log.js';
import type { LogProjection } from '../storage/log-projection.js';
import { applyRegistryChange } from './apply-registry-change.js';
import { decodeRegistryEntry } from './registry-entry.js';
import { deviceFromRow, type DeviceRow } from './registry-rows.js';
import { isTrialgateError } from '@trialgate/firmware-protocol';

export const REGISTRY_PROJECTION_NAME = 'registry';

interface Statements {
  readonly get: Statement<[string], DeviceRow>;
  readonly upsert: Statement<Record<string, unknown>>;
  readonly addKey: Statement<[string, number, Uint8Array]>;
  readonly addChange: Statement<[number, string, string, number, string | null, number, string | null]>;
}

const statementsByDb = new WeakMap<Database, Statements>();

function statements(db: Database): Statements {
  let prepared = statementsByDb.get(db);
  if (prepared === undefined) {
    prepared = {
      get: db.prepare<[string], DeviceRow>('SELECT * FROM registry_devices WHERE id = ?'),
      upsert: db.prepare(
        `INSERT INTO registry_devices (id, kind, public_key, transports, status, subject, enrolled_index, enrolled_at_ms,
           updated_index, updated_at_ms, key_since_index, ble_address, ble_name)
         VALUES (@id, @kind, @public_key, @transports, @status, @subject, @enrolled_index, @enrolled_at_ms, @updated_index,
           @updated_at_ms, @key_since_index, @ble_address, @ble_name)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, public_key = excluded.public_key,
           transports = excluded.transports, status = excluded.status, subject = excluded.subject,
           updated_index = excluded.updated_index, updated_at_ms = excluded.updated_at_ms,
           key_since_index = excluded.key_since_index, ble_address = excluded.ble_address, ble_name = excluded.ble_name`,
      ),
      addKey: db.prepare('INSERT OR IGNORE INTO registry_keys (device_id, since_index, public_key) VALUES (?, ?, ?)'),
      addChange: db.prepare(
        'INSERT OR IGNORE INTO registry_changes (log_index, device_id, op, at_ms, by, applied, error) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
    };
    statementsByDb.set(db, prepared);
  }
  return prepared;
}

/** The columns of `registry_devices` as they are now (issue 6: public_key nullable, BLE identity columns). */
const DEVICE_COLUMNS = `id TEXT PRIMARY KEY, kind TEXT NOT NULL, public_key BLOB, transports TEXT NOT NULL, status TEXT NOT NULL,
  subject TEXT, enrolled_index INTEGER NOT NULL, enrolled_at_ms INTEGER NOT NULL, updated_index INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL, key_since_index INTEGER NOT NULL, ble_address TEXT, ble_name TEXT`;

export const registryProjection: LogProjection = {
  name: REGISTRY_PROJECTION_NAME,

  migrate(db: Database): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS registry_devices (${DEVICE_COLUMNS}) STRICT;
      CREATE INDEX IF NOT EXISTS registry_devices_subject ON registry_devices (subject);
      CREATE TABLE IF NOT EXISTS registry_keys (
        device_id TEXT NOT NULL,
        since_index INTEGER NOT NULL,
        public_key BLOB NOT NULL,
        PRIMARY KEY (device_id, since_index)
      ) STRICT;
      CREATE TABLE IF NOT EXISTS registry_changes (
        log_index INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        op TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        by TEXT,
        applied INTEGER NOT NULL,
        error TEXT
      ) STRICT;
      CREATE INDEX IF NOT EXISTS registry_changes_device ON registry_changes (device_id, log_index);
    `);
    // Issue 6 (additive): BLE identity columns, added to tables created before them (then rebuilt below).
    const columns = new Set((db.prepare('PRAGMA table_info(registry_devices)').all() as { name: string }[]).map((c) => c.name));
    if (!columns.has('ble_address')) db.exec('ALTER TABLE registry_devices ADD COLUMN ble_address TEXT');
    if (!columns.has('ble_name')) db.exec('ALTER TABLE registry_devices ADD COLUMN ble_name TEXT');
    db.exec('CREATE INDEX IF NOT EXISTS registry_devices_ble_address ON registry_devices (ble_address)');
    allowDevicesWithoutKey(db);
  },

  apply(db: Database, entries: readonly CommittedEntry[]): void {
    const sql = statements(db);
    for (const committed of entries) {
      if (committed.entry.contentType !== 'registry') continue;
      const position = { index: committed.index, atMs: committed.entry.receivedAtMs };
      let change;
      try {
        change = decodeRegistryEntry(committed.entry);
      } catch (error) {
        sql.addChange.run(committed.index, committed.entry.deviceId, '?', position.atMs, null, 0, codeOf(error));
        continue;
      }
      const row = sql.get.get(change.dev);
      try {
        const next = applyRegistryChange(row === undefined ? undefined : deviceFromRow(row), change, position);
        sql.upsert.run({
          id: next.id,
          kind: next.kind,
          public_key: next.publicKey,
          transports: next.transports.join(','),
          status: next.status,
          subject: next.subject,
          enrolled_index: next.enrolledIndex,
          enrolled_at_ms: next.enrolledAtMs,
          updated_index: next.updatedIndex,
          updated_at_ms: next.updatedAtMs,
          key_since_index: next.keySinceIndex,
          ble_address: next.ble?.address ?? null,
          ble_name: next.ble?.name ?? null,
        });
        if ((change.op === 'enroll' || change.op === 'rotate-key') && next.publicKey !== null) sql.addKey.run(next.id, committed.index, next.publicKey);
        sql.addChange.run(committed.index, change.dev, change.op, position.atMs, change.by ?? null, 1, null);
      } catch (error) {
        sql.addChange.run(committed.index, change.dev, change.op, position.atMs, change.by ?? null, 0, codeOf(error));
      }
    }
  },
};

/**
 * Issue 6 (additive): `registry_devices.public_key` became nullable for devices enrolled without a key. SQLite
 * cannot drop a NOT NULL constraint in place, so a table created before is rebuilt once, rows unchanged, in
 * one transaction (https://sqlite.org/lang_altertable.html, "other kinds of table schema changes").
 */
function allowDevicesWithoutKey(db: Database): void {
  const publicKey = (db.prepare('PRAGMA table_info(registry_devices)').all() as { name: string; notnull: number }[]).find((c) => c.name === 'public_key');
  if (publicKey === undefined || publicKey.notnull === 0) return;
  const names = DEVICE_COLUMNS.split(',').map((column) => column.trim().split(' ')[0]).join(', ');
  db.transaction(() => {
    db.exec(`
      CREATE TABLE registry_devices_rebuilt (${DEVICE_COLUMNS}) STRICT;
      INSERT INTO registry_devices_rebuilt (${names}) SELECT ${names} FROM registry_devices;
      DROP TABLE registry_devices;
      ALTER TABLE registry_devices_rebuilt RENAME TO registry_devices;
      CREATE INDEX registry_devices_subject ON registry_devices (subject);
      CREATE INDEX registry_devices_ble_address ON registry_devices (ble_address);
    `);
  })();
}

function codeOf(error: unknown): string {
  return isTrialgateError(error) ? error.code : 'E_INTERNAL';
}
