/**
 * What an operator can do with dose schedules, as plain JSON-ready data: one interface, two ways in, as for
 * the registry (api/admin-operations.ts): `createLocalDosingOperations` on an opened data directory (a
 * stopped gateway's, or the running gateway's own behind its admin routes), `createDosingClient`
 * (dosing-client.ts) for a running gateway's admin socket. Times are ISO 8601 (UTC) beside the log index.
 */
import type { DoseSchedule } from './dose-schedule.js';
import type { DosingAdmin } from './dosing-admin.js';
import { DosingError } from './dosing-error.js';
import type { DosingStore, StoredDownlink } from './dosing-store.js';

export interface ScheduleView {
  readonly device: string;
  readonly version: number;
  readonly tz: string;
  readonly window_min: number;
  readonly remind_min: readonly number[];
  readonly doses: readonly { readonly slot: number; readonly at: string }[];
  readonly set_index: number;
  readonly set_at: string;
  readonly by: string | null;
  /** The schedule message of this version: when it was sent and whether the device acknowledged it. */
  readonly sent: DownlinkView | null;
}

export interface DownlinkView {
  readonly id: number;
  readonly type: 'schedule' | 'reminder';
  readonly index: number;
  readonly sent_at: string;
  readonly transport: string;
  readonly slot: number | null;
  readonly scheduled: string | null;
  readonly n: number | null;
  readonly ack_index: number | null;
  readonly ack_status: string | null;
}

export interface ScheduleDetailsView extends ScheduleView {
  readonly history: readonly Omit<ScheduleView, 'sent'>[];
  /** The most recent downlink messages, newest first. */
  readonly downlinks: readonly DownlinkView[];
  /** The most recent `taken` and `missed` the device reported, newest first. */
  readonly dose_events: readonly { readonly index: number; readonly event: string; readonly slot: number | null; readonly scheduled: string | null; readonly t: string }[];
}

export interface SetScheduleRequest {
  readonly tz?: string;
  readonly window_min?: number;
  readonly remind_min?: readonly number[];
  readonly doses: readonly { readonly slot: number; readonly at: string }[];
}

export interface ScheduleChangeView {
  readonly schedule: ScheduleView;
  /** Log index of the `schedule-set` entry. */
  readonly index: number;
}

export interface DosingOperations {
  listSchedules(): Promise<ScheduleView[]>;
  showSchedule(deviceId: string): Promise<ScheduleDetailsView>;
  setSchedule(deviceId: string, request: SetScheduleRequest, by: string): Promise<ScheduleChangeView>;
  clearSchedule(deviceId: string, by: string): Promise<ScheduleChangeView>;
}

export function createLocalDosingOperations(deps: { readonly admin: DosingAdmin; readonly store: DosingStore }): DosingOperations {
  const view = (schedule: DoseSchedule & { readonly deviceId: string; readonly by?: string | null }): ScheduleView => {
    const sent = deps.store.scheduleSent(schedule.deviceId, schedule.version);
    return { ...baseView(schedule), sent: sent === undefined ? null : downlinkView(sent) };
  };
  const changed = async (run: Promise<{ schedule: DoseSchedule & { deviceId: string }; index: number }>): Promise<ScheduleChangeView> => {
    const outcome = await run;
    return { schedule: view({ ...outcome.schedule, by: deps.store.currentSchedule(outcome.schedule.deviceId)?.by ?? null }), index: outcome.index };
  };
  return {
    listSchedules: () => Promise.resolve().then(() => deps.store.currentSchedules().map((s) => view({ ...s, by: deps.store.currentSchedule(s.deviceId)?.by ?? null }))),
    showSchedule: (deviceId) =>
      Promise.resolve().then(() => {
        const current = deps.store.currentSchedule(deviceId);
        if (current === undefined) throw new DosingError('E_DOSING_UNKNOWN_DEVICE', `device ${deviceId} has no schedule`, { details: { device: deviceId } });
        return {
          ...view(current),
          history: deps.store.scheduleHistory(deviceId).map(baseView),
          downlinks: deps.store.downlinks(deviceId, 50).map(downlinkView),
          dose_events: deps.store.doseEvents(deviceId, 50).map((e) => ({
            index: e.entryIndex,
            event: e.event,
            slot: e.slot,
            scheduled: e.scheduled === null ? null : iso(e.scheduled),
            t: iso(e.t),
          })),
        };
      }),
    setSchedule: (deviceId, request, by) =>
      changed(
        deps.admin.setSchedule(
          deviceId,
          {
            ...(request.tz === undefined ? {} : { tz: request.tz }),
            ...(request.window_min === undefined ? {} : { windowMin: request.window_min }),
            ...(request.remind_min === undefined ? {} : { remindMin: request.remind_min }),
            doses: request.doses,
          },
          by,
        ),
      ),
    clearSchedule: (deviceId, by) => changed(deps.admin.clearSchedule(deviceId, by)),
  };
}

function baseView(schedule: DoseSchedule & { readonly deviceId: string; readonly by?: string | null }): Omit<ScheduleView, 'sent'> {
  return {
    device: schedule.deviceId,
    version: schedule.version,
    tz: schedule.tz,
    window_min: schedule.windowMin,
    remind_min: schedule.remindMin,
    doses: schedule.doses,
    set_index: schedule.setIndex,
    set_at: iso(schedule.setAtMs),
    by: schedule.by ?? null,
  };
}

function downlinkView(d: StoredDownlink): DownlinkView {
  return {
    id: d.id,
    type: d.type,
    index: d.logIndex,
    sent_at: iso(d.sentAtMs),
    transport: d.transport,
    slot: d.slot,
    scheduled: d.scheduled === null ? null : iso(d.scheduled),
    n: d.n,
    ack_index: d.ackIndex,
    ack_status: d.ackStatus,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
