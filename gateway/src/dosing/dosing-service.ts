/**
 * The gateway side of the conversation with dispensers (docs/dosing.md). On every tick (and soon after a
 * relevant entry is committed or a device becomes reachable), for each device with a schedule:
 *
 * 1. Schedule: the current version is sent once (a `schedule-sent` entry holding the signed bytes, then
 *    handed to the transport), and sent again, byte for byte, while the device has not acknowledged it.
 * 2. Doses: for each dose due since the schedule was set (within a look-back), unless a `taken` belongs to
 *    it: a reminder at each `remind_min` offset (one per tick; `reminder-sent`, then sent), and when its
 *    window has passed, a `dose-missed` entry (once).
 * 3. Acknowledgements: each device `downlink_ack` message that was logged gets an `ack` entry linking it to
 *    the downlink it names.
 *
 * Everything it decides from is in the log (via the projection), so a restart continues where it stopped:
 * nothing is sent twice under two ids, no dose is found missed twice. Downlink messages are logged before
 * they are sent: a crash in between leaves a logged message that is sent on the next tick (resend). The
 * clock and timers are passed in; tests drive time and call `tick()`.
 */
import type { Logger } from 'pino';
import type { TimerPort } from '../checkpoints/timer-port.js';
import type { Clock } from '../clock.js';
import type { DownlinkSigner } from '../downlink/downlink-signer.js';
import { signReminder } from '../downlink/reminder-message.js';
import { signSchedule } from '../downlink/schedule-message.js';
import type { DeviceRecord } from '../registry/device-record.js';
import type { RegistryLookup } from '../registry/device-registry.js';
import type { CommittedEntry, GatewayLog } from '../storage/gateway-log.js';
import { dosesBetween, type DoseSchedule, type DueDose } from './dose-schedule.js';
import { dosingLogEntry, type DosingEntry } from './dosing-entry.js';
import type { DosingStore, StoredDownlink } from './dosing-store.js';
import type { DownlinkRouter } from './downlink-router.js';
import type { Transport } from '@trialgate/proof-formats';

export interface DosingServiceDependencies {
  readonly log: GatewayLog;
  readonly store: DosingStore;
  readonly registry: RegistryLookup;
  readonly router: DownlinkRouter;
  readonly signer: DownlinkSigner;
  readonly clock: Clock;
  readonly timers: TimerPort;
  readonly logger: Logger;
  /** How often the schedules are looked at (default 15 s). */
  readonly tickMs?: number;
  /** An unacknowledged downlink message is sent again after this long (default 60 s). */
  readonly resendAfterMs?: number;
  /** Doses further back than this (by window end) are not looked at (default 2 days). */
  readonly lookbackMs?: number;
}

export class DosingService {
  private readonly deps: DosingServiceDependencies;
  private readonly log: Logger;
  private readonly lastSent = new Map<string, number>();
  private scheduled = new Set<string>();
  private running: Promise<void> = Promise.resolve();
  private timer: unknown = null;
  private kickTimer: unknown = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = true;
  readonly counters = { ticks: 0, schedulesSent: 0, remindersSent: 0, resent: 0, missed: 0, acksLinked: 0, sendFailures: 0 };

  constructor(deps: DosingServiceDependencies) {
    this.deps = deps;
    this.log = deps.logger;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.deps.log.onCommitted((entries) => {
      if (entries.some((c) => this.relevant(c))) this.kick();
    });
    this.kick();
  }

  /** Runs a tick soon (a device became reachable, an acknowledgement or a dose event was logged). */
  kick(): void {
    if (this.stopped || this.kickTimer !== null) return;
    this.kickTimer = this.deps.timers.setTimeout(() => {
      this.kickTimer = null;
      void this.tick();
    }, 0);
  }

  /** A device can be reached again (a line reopened, a connection): what it has not acknowledged goes now. */
  onReachable(deviceId: string): void {
    for (const key of [...this.lastSent.keys()]) if (key.startsWith(`${deviceId}#`)) this.lastSent.set(key, -Infinity);
    for (const downlink of this.deps.store.unacknowledged(deviceId)) this.lastSent.set(`${deviceId}#${downlink.id}`, -Infinity);
    this.kick();
  }

  /** One pass over every schedule; ticks never overlap. Resolves when this pass is done. */
  tick(): Promise<void> {
    const run = this.running.then(() => this.pass());
    this.running = run.catch((error: unknown) => this.log.error({ event: 'dosing_tick_failed', err: error }, 'a dosing pass failed'));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    if (this.kickTimer !== null) this.deps.timers.clearTimeout(this.kickTimer);
    this.timer = null;
    this.kickTimer = null;
    await this.running;
  }

  private async pass(): Promise<void> {
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer);
    this.timer = null;
    this.counters.ticks += 1;
    try {
      await this.linkAcknowledgements();
      const schedules = this.deps.store.currentSchedules();
      this.scheduled = new Set(schedules.map((s) => s.deviceId));
      for (const schedule of schedules) {
        const device = this.deps.registry.get(schedule.deviceId);
        if (device === undefined || device.status === 'retired') continue;
        await this.deliverSchedule(device, schedule);
        await this.followDoses(device, schedule);
        await this.resendUnacknowledged(device, schedule);
      }
    } finally {
      if (!this.stopped) {
        this.timer = this.deps.timers.setTimeout(() => {
          this.timer = null;
          void this.tick();
        }, this.deps.tickMs ?? 15_000);
      }
    }
  }

  private async linkAcknowledgements(): Promise<void> {
    for (const ack of this.deps.store.unlinkedDeviceAcks()) {
      const downlink = this.deps.store.downlink(ack.deviceId, ack.ref);
      await this.append(
        {
          event: 'ack',
          dev: ack.deviceId,
          ref: ack.ref,
          of: ack.of,
          status: ack.status,
          ...(ack.reason === null ? {} : { reason: ack.reason }),
          entry: ack.entryIndex,
          refEntry: downlink?.logIndex ?? null,
        },
        asTransport(ack.transport),
      );
      this.counters.acksLinked += 1;
      this.log.info({ event: 'downlink_acked', deviceId: ack.deviceId, ref: ack.ref, of: ack.of, status: ack.status, known: downlink !== undefined }, 'device acknowledged a downlink message');
    }
  }

  private async deliverSchedule(device: DeviceRecord, schedule: DoseSchedule): Promise<void> {
    if (device.status !== 'active' || this.deps.store.scheduleSent(device.id, schedule.version) !== undefined) return;
    const route = this.deps.router.routeFor(device);
    if (route === null) return;
    const id = this.deps.store.nextDownlinkId(device.id);
    const now = this.deps.clock.now();
    const msg = signSchedule(
      { dev: device.id, t: now, schedule: { id, version: schedule.version, tz: schedule.tz, windowMin: schedule.windowMin, doses: schedule.doses } },
      this.deps.signer,
    );
    await this.append({ event: 'schedule-sent', dev: device.id, id, version: schedule.version, msg }, route.transport);
    this.counters.schedulesSent += 1;
    await this.send(device.id, id, msg, route.transport);
  }

  private async followDoses(device: DeviceRecord, schedule: DoseSchedule): Promise<void> {
    if (schedule.doses.length === 0) return;
    const now = this.deps.clock.now();
    const lookback = this.deps.lookbackMs ?? 2 * 86_400_000;
    const from = Math.max(schedule.setAtMs, now - lookback - schedule.windowMin * 60_000);
    for (const dose of dosesBetween(schedule, from, now)) {
      if (this.deps.store.doseEvent(device.id, dose, 'taken') !== null) continue;
      if (now >= dose.windowEnd) {
        if (dose.windowEnd >= now - lookback && this.deps.store.missedIndex(device.id, dose) === null) await this.recordMissed(device, schedule, dose);
        continue;
      }
      if (device.status !== 'active') continue;
      const sent = this.deps.store.reminders(device.id, dose).length;
      const due = schedule.remindMin.filter((minutes) => dose.scheduled + minutes * 60_000 <= now).length;
      if (sent < due) await this.remind(device, dose, sent + 1);
    }
  }

  private async remind(device: DeviceRecord, dose: DueDose, n: number): Promise<void> {
    const route = this.deps.router.routeFor(device);
    if (route === null) return;
    const id = this.deps.store.nextDownlinkId(device.id);
    const now = this.deps.clock.now();
    const msg = signReminder({ dev: device.id, t: now, reminder: { id, slot: dose.slot, scheduled: dose.scheduled, windowEnd: dose.windowEnd, n } }, this.deps.signer);
    await this.append({ event: 'reminder-sent', dev: device.id, id, slot: dose.slot, scheduled: dose.scheduled, windowEnd: dose.windowEnd, n, msg }, route.transport);
    this.counters.remindersSent += 1;
    this.log.info({ event: 'reminder_sent', deviceId: device.id, id, slot: dose.slot, scheduled: dose.scheduled, n, transport: route.transport }, 'reminder sent');
    await this.send(device.id, id, msg, route.transport);
  }

  private async recordMissed(device: DeviceRecord, schedule: DoseSchedule, dose: DueDose): Promise<void> {
    const reminders = this.deps.store.reminders(device.id, dose).length;
    const deviceReported = this.deps.store.doseEvent(device.id, dose, 'missed');
    await this.append(
      { event: 'dose-missed', dev: device.id, slot: dose.slot, scheduled: dose.scheduled, windowEnd: dose.windowEnd, version: schedule.version, reminders, deviceReported },
      'admin',
    );
    this.counters.missed += 1;
    this.log.info({ event: 'dose_missed', deviceId: device.id, slot: dose.slot, scheduled: dose.scheduled, reminders, deviceReported: deviceReported !== null }, 'dose missed: no taken within the window');
  }

  private async resendUnacknowledged(device: DeviceRecord, schedule: DoseSchedule): Promise<void> {
    if (device.status !== 'active') return;
    const now = this.deps.clock.now();
    const resendAfter = this.deps.resendAfterMs ?? 60_000;
    for (const downlink of this.deps.store.unacknowledged(device.id)) {
      if (!stillWanted(downlink, schedule, now)) continue;
      const key = `${device.id}#${downlink.id}`;
      const last = this.lastSent.get(key) ?? downlink.sentAtMs;
      if (now - last < resendAfter) continue;
      const route = this.deps.router.routeFor(device);
      if (route === null) return;
      this.counters.resent += 1;
      await this.send(device.id, downlink.id, downlink.msg, route.transport);
    }
  }

  private async send(deviceId: string, id: number, msg: Uint8Array, transport: string): Promise<void> {
    const route = this.deps.router.routeFor(this.deps.registry.get(deviceId) ?? { id: deviceId, transports: [] });
    this.lastSent.set(`${deviceId}#${id}`, this.deps.clock.now());
    if (route === null) return;
    try {
      await route.send(deviceId, msg);
    } catch (error) {
      this.counters.sendFailures += 1;
      this.log.warn({ event: 'downlink_send_failed', deviceId, id, transport, err: error }, 'a downlink message could not be handed to the transport; it is sent again later');
    }
  }

  /** A device message of a scheduled device (a dose event, an acknowledgement) or a schedule change. */
  private relevant(committed: CommittedEntry): boolean {
    const { contentType, transport, deviceId } = committed.entry;
    if (contentType === 'cose-sign1') return this.scheduled.has(deviceId);
    return contentType === 'gateway' && transport === 'admin';
  }

  private async append(entry: DosingEntry, transport: Transport): Promise<void> {
    await this.deps.log.append(dosingLogEntry(entry, this.deps.clock.now(), transport));
  }
}

/** A schedule is wanted until a newer version exists; a reminder until its dose's window ends. */
function stillWanted(downlink: StoredDownlink, schedule: DoseSchedule, now: number): boolean {
  if (downlink.type === 'schedule') return downlink.version === schedule.version;
  return downlink.windowEnd !== null && downlink.windowEnd > now;
}


function asTransport(value: string): Transport {
  return value === 'mqtt' || value === 'ble' || value === 'serial' ? value : 'admin';
}
