/**
 * A reminder: a dose is due and the gateway has not received its `taken` (gateway/src/dosing). Format for
 * device makers in docs/dosing.md:
 *
 *   data = { "id": uint, "slot": uint, "scheduled": uint, "window_end": uint, "n": uint }
 *
 * `scheduled` is the dose's time (ms since the Unix epoch, UTC): a device reports the dose it then takes as a
 * `dose_event` with `event: "taken"` and this same `scheduled`, which is how the gateway matches the two.
 * `window_end` is when the dose counts as missed; `n` counts the reminders for this dose (1, 2, ...).
 */
import type { DownlinkSigner } from './downlink-signer.js';
import { openDownlinkMessage, signDownlinkMessage } from './downlink-message.js';
import { invalidDownlink, uintField } from './downlink-fields.js';

export interface ReminderData {
  readonly id: number;
  readonly slot: number;
  readonly scheduled: number;
  readonly windowEnd: number;
  readonly n: number;
}

export function signReminder(parameters: { readonly dev: string; readonly t: number; readonly reminder: ReminderData }, signer: DownlinkSigner): Uint8Array {
  const r = parameters.reminder;
  return signDownlinkMessage(
    { dev: parameters.dev, t: parameters.t, type: 'reminder', data: { id: r.id, slot: r.slot, scheduled: r.scheduled, window_end: r.windowEnd, n: r.n } },
    signer,
  );
}

/** Opens a reminder as a device does (the simulator, tests). */
export function openReminder(
  bytes: Uint8Array,
  expected: { readonly origin: string; readonly gatewayPublicKey: Uint8Array; readonly device: string },
): ReminderData & { readonly t: number } {
  const message = openDownlinkMessage(bytes, expected);
  if (message.type !== 'reminder') throw invalidDownlink('reminder', `it is a ${message.type.slice(0, 20)}`);
  const data = message.data;
  return {
    t: message.t,
    id: uintField(data, 'id', 'reminder', { min: 1 }),
    slot: uintField(data, 'slot', 'reminder'),
    scheduled: uintField(data, 'scheduled', 'reminder'),
    windowEnd: uintField(data, 'window_end', 'reminder'),
    n: uintField(data, 'n', 'reminder', { min: 1 }),
  };
}
