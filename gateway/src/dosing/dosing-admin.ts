/**
 * Setting and clearing dose schedules: checked, then logged as a `schedule-set` entry (transport `admin`),
 * which the projection applies and the dosing service sends to the device. Changes are serialised, so the
 * version a change gets cannot race another change.
 */
import type { Clock } from '../clock.js';
import type { RegistryLookup } from '../registry/device-registry.js';
import type { GatewayLog } from '../storage/gateway-log.js';
import { checkDoseSchedule, type DoseSchedule } from './dose-schedule.js';
import { dosingLogEntry } from './dosing-entry.js';
import { DosingError } from './dosing-error.js';
import type { DosingStore } from './dosing-store.js';

export interface ScheduleInput {
  readonly tz?: unknown;
  readonly windowMin?: unknown;
  readonly remindMin?: unknown;
  readonly doses?: unknown;
}

export interface ScheduleChangeOutcome {
  readonly schedule: DoseSchedule & { readonly deviceId: string };
  /** Log index of the `schedule-set` entry. */
  readonly index: number;
}

const BY_PATTERN = /^[\x21-\x7E]{1,128}$/;

export class DosingAdmin {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: { readonly log: GatewayLog; readonly registry: RegistryLookup; readonly store: DosingStore; readonly clock: Clock },
  ) {}

  setSchedule(deviceId: string, input: ScheduleInput, by?: string): Promise<ScheduleChangeOutcome> {
    return this.serialised(async () => {
      const device = this.deps.registry.get(deviceId);
      if (device === undefined || device.status === 'retired') {
        throw new DosingError('E_DOSING_UNKNOWN_DEVICE', `device ${deviceId} is not enrolled${device === undefined ? '' : ' (it is retired)'}`, { details: { device: deviceId } });
      }
      if (by !== undefined && !BY_PATTERN.test(by)) throw new DosingError('E_DOSING_INVALID', '"by" must be 1-128 printable ASCII characters');
      const spec = checkDoseSchedule(input);
      if (device.publicKey === null && spec.doses.length > 0) {
        // Such a device (a standard BLE health device) sends no signed dose events or acknowledgements: every
        // dose would be found missed, and no reminder could be confirmed.
        throw new DosingError('E_DOSING_INVALID', `device ${deviceId} has no signing key: it cannot report doses, so it cannot have a dose schedule`, {
          details: { device: deviceId },
        });
      }
      const version = (this.deps.store.currentSchedule(deviceId)?.version ?? 0) + 1;
      const atMs = this.deps.clock.now();
      const outcome = await this.deps.log.append(
        dosingLogEntry({ event: 'schedule-set', dev: deviceId, version, tz: spec.tz, windowMin: spec.windowMin, remindMin: spec.remindMin, doses: spec.doses, ...(by === undefined ? {} : { by }) }, atMs, 'admin'),
      );
      return { schedule: { deviceId, ...spec, version, setIndex: outcome.index, setAtMs: atMs }, index: outcome.index };
    });
  }

  /** Logs an empty schedule: no more reminders or missed-dose findings; the device is told. */
  clearSchedule(deviceId: string, by?: string): Promise<ScheduleChangeOutcome> {
    const current = this.deps.store.currentSchedule(deviceId);
    if (current === undefined || current.doses.length === 0) {
      return Promise.reject(new DosingError('E_DOSING_INVALID', `device ${deviceId} has no schedule to clear`, { details: { device: deviceId } }));
    }
    return this.setSchedule(deviceId, { tz: current.tz, windowMin: current.windowMin, remindMin: current.remindMin, doses: [] }, by);
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
