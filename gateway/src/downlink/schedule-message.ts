/**
 * A schedule: the dose schedule the gateway holds for a dispenser (gateway/src/dosing), sent to it so that it
 * can show or ring the doses itself. Format for device makers in docs/dosing.md:
 *
 *   data = { "id": uint, "version": uint, "tz": text, "window_min": uint,
 *            "doses": [ { "slot": uint, "at": "HH:MM" }, ... ] }
 *
 * `id` numbers the downlink messages the gateway sends to this device (1, 2, ...; schedules and reminders
 * share it) and is what the device's `downlink_ack` names. `version` counts the device's schedules; a device
 * keeps only the highest version it accepted. Times are local wall-clock times in the IANA zone `tz`; a
 * dose counts as missed `window_min` minutes after its time. An empty `doses` list clears the schedule.
 */
import type { DownlinkSigner } from './downlink-signer.js';
import { openDownlinkMessage, signDownlinkMessage } from './downlink-message.js';
import { invalidDownlink, textField, uintField } from './downlink-fields.js';
import { isCborMap } from '@trialgate/firmware-protocol';

export interface ScheduledDose {
  /** The dispenser's slot (compartment, or dose of the day) this dose comes from. */
  readonly slot: number;
  /** Local time `HH:MM` (24 h). */
  readonly at: string;
}

export interface ScheduleData {
  readonly id: number;
  readonly version: number;
  readonly tz: string;
  readonly windowMin: number;
  readonly doses: readonly ScheduledDose[];
}

/** A dispenser has at most this many doses a day in its schedule. */
export const MAX_SCHEDULED_DOSES = 48;

export const DOSE_TIME_PATTERN = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

export function signSchedule(parameters: { readonly dev: string; readonly t: number; readonly schedule: ScheduleData }, signer: DownlinkSigner): Uint8Array {
  const s = parameters.schedule;
  return signDownlinkMessage(
    {
      dev: parameters.dev,
      t: parameters.t,
      type: 'schedule',
      data: { id: s.id, version: s.version, tz: s.tz, window_min: s.windowMin, doses: s.doses.map((d) => ({ slot: d.slot, at: d.at })) },
    },
    signer,
  );
}

/** Opens a schedule as a device does (the simulator, tests). */
export function openSchedule(
  bytes: Uint8Array,
  expected: { readonly origin: string; readonly gatewayPublicKey: Uint8Array; readonly device: string },
): ScheduleData & { readonly t: number } {
  const message = openDownlinkMessage(bytes, expected);
  if (message.type !== 'schedule') throw invalidDownlink('schedule', `it is a ${message.type.slice(0, 20)}`);
  const data = message.data;
  const list = data.get('doses');
  if (!Array.isArray(list) || list.length > MAX_SCHEDULED_DOSES) throw invalidDownlink('schedule', `"doses" is not a list of at most ${MAX_SCHEDULED_DOSES}`);
  const doses = list.map((item) => {
    if (!isCborMap(item)) throw invalidDownlink('schedule', 'a dose is not a map');
    const at = textField(item, 'at', 'schedule', 5);
    if (!DOSE_TIME_PATTERN.test(at)) throw invalidDownlink('schedule', 'a dose time is not HH:MM');
    return { slot: uintField(item, 'slot', 'schedule'), at };
  });
  return {
    t: message.t,
    id: uintField(data, 'id', 'schedule', { min: 1 }),
    version: uintField(data, 'version', 'schedule', { min: 1 }),
    tz: textField(data, 'tz', 'schedule', 64),
    windowMin: uintField(data, 'window_min', 'schedule', { min: 1 }),
    doses,
  };
}
