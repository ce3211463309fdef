/** Queries over the dosing projection's tables (dosing-projection.ts): the service, the admin API, the CLI. */
import type { Database } from 'better-sqlite3';
import type { ScheduledDose } from '../downlink/schedule-message.js';
import { EARLY_TAKE_MIN, type DoseSchedule, type DueDose } from './dose-schedule.js';

export interface StoredDownlink {
  readonly deviceId: string;
  readonly id: number;
  readonly type: 'schedule' | 'reminder';
  readonly logIndex: number;
  readonly sentAtMs: number;
  readonly transport: string;
  readonly version: number | null;
  readonly slot: number | null;
  readonly scheduled: number | null;
  readonly windowEnd: number | null;
  readonly n: number | null;
  readonly msg: Uint8Array;
  readonly ackIndex: number | null;
  readonly ackStatus: string | null;
}

export interface StoredDeviceAck {
  readonly entryIndex: number;
  readonly deviceId: string;
  readonly ref: number;
  readonly of: string;
  readonly status: string;
  readonly reason: string | null;
  readonly transport: string;
  readonly receivedAtMs: number;
  readonly linkedIndex: number | null;
}

export interface StoredDoseEvent {
  readonly entryIndex: number;
  readonly deviceId: string;
  readonly event: 'taken' | 'missed';
  readonly slot: number | null;
  readonly scheduled: number | null;
  readonly t: number;
  readonly receivedAtMs: number;
}

interface ScheduleRow {
  device_id: string;
  version: number;
  tz: string;
  window_min: number;
  remind_min: string;
  doses: string;
  set_index: number;
  set_at_ms: number;
  by: string | null;
}

interface DownlinkRow {
  device_id: string;
  id: number;
  type: string;
  log_index: number;
  sent_at_ms: number;
  transport: string;
  version: number | null;
  slot: number | null;
  scheduled: number | null;
  window_end: number | null;
  n: number | null;
  msg: Uint8Array;
  ack_index: number | null;
  ack_status: string | null;
}

export class DosingStore {
  constructor(private readonly db: Database) {}

  /** The current schedule of each device that ever had one (an empty `doses` list: cleared). */
  currentSchedules(): (DoseSchedule & { readonly deviceId: string })[] {
    const rows = this.db
      .prepare<[], ScheduleRow>(
        `SELECT s.* FROM dosing_schedules s
         JOIN (SELECT device_id, MAX(version) AS version FROM dosing_schedules GROUP BY device_id) m
           ON s.device_id = m.device_id AND s.version = m.version
         ORDER BY s.device_id`,
      )
      .all();
    return rows.map(scheduleOf);
  }

  currentSchedule(deviceId: string): (DoseSchedule & { readonly deviceId: string; readonly by: string | null }) | undefined {
    const row = this.db.prepare<[string], ScheduleRow>('SELECT * FROM dosing_schedules WHERE device_id = ? ORDER BY version DESC LIMIT 1').get(deviceId);
    return row === undefined ? undefined : { ...scheduleOf(row), by: row.by };
  }

  scheduleHistory(deviceId: string): (DoseSchedule & { readonly deviceId: string; readonly by: string | null })[] {
    return this.db
      .prepare<[string], ScheduleRow>('SELECT * FROM dosing_schedules WHERE device_id = ? ORDER BY version')
      .all(deviceId)
      .map((row) => ({ ...scheduleOf(row), by: row.by }));
  }

  nextDownlinkId(deviceId: string): number {
    const row = this.db.prepare<[string], { id: number | null }>('SELECT MAX(id) AS id FROM dosing_downlinks WHERE device_id = ?').get(deviceId);
    return (row?.id ?? 0) + 1;
  }

  downlinks(deviceId: string, limit = 100): StoredDownlink[] {
    return this.db
      .prepare<[string, number], DownlinkRow>('SELECT * FROM dosing_downlinks WHERE device_id = ? ORDER BY id DESC LIMIT ?')
      .all(deviceId, limit)
      .map(downlinkOf);
  }

  downlink(deviceId: string, id: number): StoredDownlink | undefined {
    const row = this.db.prepare<[string, number], DownlinkRow>('SELECT * FROM dosing_downlinks WHERE device_id = ? AND id = ?').get(deviceId, id);
    return row === undefined ? undefined : downlinkOf(row);
  }

  /** The schedule message sent for `version`, if any. */
  scheduleSent(deviceId: string, version: number): StoredDownlink | undefined {
    const row = this.db
      .prepare<[string, number], DownlinkRow>("SELECT * FROM dosing_downlinks WHERE device_id = ? AND type = 'schedule' AND version = ? ORDER BY id DESC LIMIT 1")
      .get(deviceId, version);
    return row === undefined ? undefined : downlinkOf(row);
  }

  /** Reminders sent for one dose, oldest first. */
  reminders(deviceId: string, dose: Pick<DueDose, 'scheduled' | 'slot'>): StoredDownlink[] {
    return this.db
      .prepare<[string, number, number], DownlinkRow>("SELECT * FROM dosing_downlinks WHERE device_id = ? AND type = 'reminder' AND scheduled = ? AND slot = ? ORDER BY id")
      .all(deviceId, dose.scheduled, dose.slot)
      .map(downlinkOf);
  }

  /** Downlink messages not acknowledged by the device, oldest first. */
  unacknowledged(deviceId: string): StoredDownlink[] {
    return this.db
      .prepare<[string], DownlinkRow>('SELECT * FROM dosing_downlinks WHERE device_id = ? AND ack_index IS NULL ORDER BY id')
      .all(deviceId)
      .map(downlinkOf);
  }

  /** Device acknowledgements not yet linked by an `ack` entry, in log order. */
  unlinkedDeviceAcks(limit = 100): StoredDeviceAck[] {
    return this.db
      .prepare<[number], Record<string, unknown>>('SELECT * FROM dosing_device_acks WHERE linked_index IS NULL ORDER BY entry_index LIMIT ?')
      .all(limit)
      .map((row) => ({
        entryIndex: row['entry_index'] as number,
        deviceId: row['device_id'] as string,
        ref: row['ref'] as number,
        of: row['of'] as string,
        status: row['status'] as string,
        reason: row['reason'] as string | null,
        transport: row['transport'] as string,
        receivedAtMs: row['received_at_ms'] as number,
        linkedIndex: null,
      }));
  }

  /**
   * The `taken` (or device-reported `missed`) that belongs to a dose: one naming its `scheduled` time exactly,
   * or one without `scheduled` for the same slot whose device time lies from EARLY_TAKE_MIN before the dose
   * to the end of its window. Returns its log index.
   */
  doseEvent(deviceId: string, dose: DueDose, event: 'taken' | 'missed'): number | null {
    const row = this.db
      .prepare<[string, string, number, number, number, number], { entry_index: number }>(
        `SELECT entry_index FROM dosing_dose_events
         WHERE device_id = ? AND event = ?
           AND (scheduled = ? OR (scheduled IS NULL AND slot = ? AND t >= ? AND t < ?))
         ORDER BY entry_index LIMIT 1`,
      )
      .get(deviceId, event, dose.scheduled, dose.slot, dose.scheduled - EARLY_TAKE_MIN * 60_000, dose.windowEnd);
    return row?.entry_index ?? null;
  }

  missedIndex(deviceId: string, dose: Pick<DueDose, 'scheduled' | 'slot'>): number | null {
    const row = this.db
      .prepare<[string, number, number], { log_index: number }>('SELECT log_index FROM dosing_missed WHERE device_id = ? AND scheduled = ? AND slot = ?')
      .get(deviceId, dose.scheduled, dose.slot);
    return row?.log_index ?? null;
  }

  doseEvents(deviceId: string, limit = 100): StoredDoseEvent[] {
    return this.db
      .prepare<[string, number], Record<string, unknown>>('SELECT * FROM dosing_dose_events WHERE device_id = ? ORDER BY entry_index DESC LIMIT ?')
      .all(deviceId, limit)
      .map((row) => ({
        entryIndex: row['entry_index'] as number,
        deviceId: row['device_id'] as string,
        event: row['event'] as 'taken' | 'missed',
        slot: row['slot'] as number | null,
        scheduled: row['scheduled'] as number | null,
        t: row['t'] as number,
        receivedAtMs: row['received_at_ms'] as number,
      }));
  }
}

function scheduleOf(row: ScheduleRow): DoseSchedule & { readonly deviceId: string } {
  return {
    deviceId: row.device_id,
    version: row.version,
    tz: row.tz,
    windowMin: row.window_min,
    remindMin: JSON.parse(row.remind_min) as number[],
    doses: JSON.parse(row.doses) as ScheduledDose[],
    setIndex: row.set_index,
    setAtMs: row.set_at_ms,
  };
}

function downlinkOf(row: DownlinkRow): StoredDownlink {
  return {
    deviceId: row.device_id,
    id: row.id,
    type: row.type === 'schedule' ? 'schedule' : 'reminder',
    logIndex: row.log_index,
    sentAtMs: row.sent_at_ms,
    transport: row.transport,
    version: row.version,
    slot: row.slot,
    scheduled: row.scheduled,
    windowEnd: row.window_end,
    n: row.n,
    msg: new Uint8Array(row.msg),
    ackIndex: row.ack_index,
    ackStatus: row.ack_status,
  };
}
