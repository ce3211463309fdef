/**
 * The dosing tables of the state database, a `LogProjection` (storage/log-projection.ts): rebuilt from the log,
 * so a crash between an append and its projection loses nothing.
 *
 *   dosing_schedules      every schedule version set (the latest per device is the current one)
 *   dosing_downlinks      every schedule and reminder sent, with its signed bytes, and the device's ack
 *   dosing_device_acks    the devices' own `downlink_ack` messages, and the `ack` entry that links each
 *   dosing_dose_events    `taken` and `missed` dose events of devices that have a schedule
 *   dosing_missed         the missed doses the gateway detected
 *
 * Device messages are read here only for devices that have a schedule at that point of the log (one indexed
 * lookup per message otherwise), and only their `dose_event` and `downlink_ack` payloads are kept.
 */
import { decodeDeviceMessage } from '@trialgate/firmware-protocol';
import type { Database, Statement } from 'better-sqlite3';
import type { CommittedEntry } from '../storage/gateway-log.js';
import type { LogProjection } from '../storage/log-projection.js';
import { decodeDosingEntry } from './dosing-entry.js';
import { readDownlinkAck } from './downlink-ack-payload.js';

export const DOSING_PROJECTION_NAME = 'dosing';

interface Statements {
  readonly hasSchedule: Statement<[string], { one: number }>;
  readonly addSchedule: Statement<[string, number, string, number, string, string, number, number, string | null]>;
  readonly addDownlink: Statement<[string, number, string, number, number, string, number | null, number | null, number | null, number | null, number | null, Uint8Array]>;
  readonly addDeviceAck: Statement<[number, string, number, string, string, string | null, string, number]>;
  readonly linkDeviceAck: Statement<[number, number]>;
  readonly ackDownlink: Statement<[number, string, string, number]>;
  readonly addDoseEvent: Statement<[number, string, string, number | null, number | null, number, number]>;
  readonly addMissed: Statement<[string, number, number, number, number]>;
}

const statementsByDb = new WeakMap<Database, Statements>();

function statements(db: Database): Statements {
  let prepared = statementsByDb.get(db);
  if (prepared === undefined) {
    prepared = {
      hasSchedule: db.prepare('SELECT 1 AS one FROM dosing_schedules WHERE device_id = ? LIMIT 1'),
      addSchedule: db.prepare(
        `INSERT OR IGNORE INTO dosing_schedules (device_id, version, tz, window_min, remind_min, doses, set_index, set_at_ms, by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      addDownlink: db.prepare(
        `INSERT OR IGNORE INTO dosing_downlinks (device_id, id, type, log_index, sent_at_ms, transport, version, slot, scheduled, window_end, n, msg)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      addDeviceAck: db.prepare(
        `INSERT OR IGNORE INTO dosing_device_acks (entry_index, device_id, ref, of, status, reason, transport, received_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      linkDeviceAck: db.prepare('UPDATE dosing_device_acks SET linked_index = ? WHERE entry_index = ? AND linked_index IS NULL'),
      ackDownlink: db.prepare(
        'UPDATE dosing_downlinks SET ack_index = ?, ack_status = ? WHERE device_id = ? AND id = ? AND ack_index IS NULL',
      ),
      addDoseEvent: db.prepare(
        `INSERT OR IGNORE INTO dosing_dose_events (entry_index, device_id, event, slot, scheduled, t, received_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      addMissed: db.prepare(
        'INSERT OR IGNORE INTO dosing_missed (device_id, scheduled, slot, log_index, window_end) VALUES (?, ?, ?, ?, ?)',
      ),
    };
    statementsByDb.set(db, prepared);
  }
  return prepared;
}

export const dosingProjection: LogProjection = {
  name: DOSING_PROJECTION_NAME,

  migrate(db: Database): void {
    db.exec(`
      CREATE TABLE IF NOT EXISTS dosing_schedules (
        device_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        tz TEXT NOT NULL,
        window_min INTEGER NOT NULL,
        remind_min TEXT NOT NULL,
        doses TEXT NOT NULL,
        set_index INTEGER NOT NULL,
        set_at_ms INTEGER NOT NULL,
        by TEXT,
        PRIMARY KEY (device_id, version)
      ) STRICT;
      CREATE TABLE IF NOT EXISTS dosing_downlinks (
        device_id TEXT NOT NULL,
        id INTEGER NOT NULL,
        type TEXT NOT NULL,
        log_index INTEGER NOT NULL,
        sent_at_ms INTEGER NOT NULL,
        transport TEXT NOT NULL,
        version INTEGER,
        slot INTEGER,
        scheduled INTEGER,
        window_end INTEGER,
        n INTEGER,
        msg BLOB NOT NULL,
        ack_index INTEGER,
        ack_status TEXT,
        PRIMARY KEY (device_id, id)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS dosing_downlinks_dose ON dosing_downlinks (device_id, scheduled, slot);
      CREATE TABLE IF NOT EXISTS dosing_device_acks (
        entry_index INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        ref INTEGER NOT NULL,
        of TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        transport TEXT NOT NULL,
        received_at_ms INTEGER NOT NULL,
        linked_index INTEGER
      ) STRICT;
      CREATE INDEX IF NOT EXISTS dosing_device_acks_unlinked ON dosing_device_acks (linked_index);
      CREATE TABLE IF NOT EXISTS dosing_dose_events (
        entry_index INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        event TEXT NOT NULL,
        slot INTEGER,
        scheduled INTEGER,
        t INTEGER NOT NULL,
        received_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS dosing_dose_events_device ON dosing_dose_events (device_id, event, scheduled);
      CREATE TABLE IF NOT EXISTS dosing_missed (
        device_id TEXT NOT NULL,
        scheduled INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        log_index INTEGER NOT NULL,
        window_end INTEGER NOT NULL,
        PRIMARY KEY (device_id, scheduled, slot)
      ) STRICT;
    `);
  },

  apply(db: Database, entries: readonly CommittedEntry[]): void {
    const sql = statements(db);
    for (const { index, entry } of entries) {
      if (entry.contentType === 'gateway') {
        let record;
        try {
          record = decodeDosingEntry(entry.original);
        } catch {
          continue; // Not in the documented form: nothing to project (an audit reads the entry itself).
        }
        if (record === null || record.dev !== entry.deviceId) continue;
        switch (record.event) {
          case 'schedule-set':
            sql.addSchedule.run(record.dev, record.version, record.tz, record.windowMin, JSON.stringify(record.remindMin), JSON.stringify(record.doses), index, entry.receivedAtMs, record.by ?? null);
            break;
          case 'schedule-sent':
            sql.addDownlink.run(record.dev, record.id, 'schedule', index, entry.receivedAtMs, entry.transport, record.version, null, null, null, null, record.msg);
            break;
          case 'reminder-sent':
            sql.addDownlink.run(record.dev, record.id, 'reminder', index, entry.receivedAtMs, entry.transport, null, record.slot, record.scheduled, record.windowEnd, record.n, record.msg);
            break;
          case 'ack':
            sql.linkDeviceAck.run(index, record.entry);
            sql.ackDownlink.run(record.entry, record.status, record.dev, record.ref);
            break;
          case 'dose-missed':
            sql.addMissed.run(record.dev, record.scheduled, record.slot, index, record.windowEnd);
            break;
        }
        continue;
      }
      if (entry.contentType !== 'cose-sign1' || sql.hasSchedule.get(entry.deviceId) === undefined) continue;
      let payload;
      try {
        payload = decodeDeviceMessage(entry.original, { maxBytes: entry.original.length }).payload;
      } catch {
        continue;
      }
      if (payload.dev !== entry.deviceId) continue;
      const ack = readDownlinkAck(payload);
      if (ack !== null) {
        sql.addDeviceAck.run(index, entry.deviceId, ack.ref, ack.of, ack.status, ack.reason ?? null, entry.transport, entry.receivedAtMs);
        continue;
      }
      if (payload.type !== 'dose_event') continue;
      const data = payload.data as Readonly<Record<string, unknown>>;
      const event = data['event'];
      if (event !== 'taken' && event !== 'missed') continue;
      const slot = typeof data['slot'] === 'number' ? data['slot'] : null;
      const scheduled = typeof data['scheduled'] === 'number' ? data['scheduled'] : null;
      sql.addDoseEvent.run(index, entry.deviceId, event, slot, scheduled, payload.t, entry.receivedAtMs);
    }
  },
};
