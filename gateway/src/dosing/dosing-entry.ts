/**
 * The `gateway` log entries of the conversation with a dispenser (spec section 4: "a dose schedule set, a
 * reminder sent, a device's acknowledgement, a missed dose the gateway detected"). Each `original` is a CBOR
 * map with text keys, written in the order below (encodeCbor: definite lengths, shortest heads); the format
 * is documented for auditors in docs/dosing.md:
 *
 *   common          "v": 1, "event": text, "dev": device id
 *   schedule-set    "version" uint, "tz" text, "window_min" uint, "remind_min" [uint],
 *                   "doses" [{"slot": uint, "at": "HH:MM"}] (empty: cleared), "by"? text     transport admin
 *   schedule-sent   "id" uint, "version" uint, "msg" bstr                       transport: the one used
 *   reminder-sent   "id" uint, "slot" uint, "scheduled" uint, "window_end" uint, "n" uint, "msg" bstr
 *   ack             "ref" uint, "of" text, "status" text, "reason"? text, "entry" uint,
 *                   "ref_entry" uint / null                               transport: the ack's
 *   dose-missed     "slot" uint, "scheduled" uint, "window_end" uint, "version" uint, "reminders" uint,
 *                   "device_reported" uint / null                                       transport admin
 *
 * `msg` is the signed downlink message exactly as handed to the transport (downlink/*-message.ts), so the
 * log holds what the device was told, byte for byte; it is logged before it is sent. `ack` links the
 * device's own signed `downlink_ack` message (log index `entry`) to the downlink it names (`ref_entry`, null
 * when the id is unknown). `dose-missed` is the gateway's finding that no `taken` arrived by the window's
 * end; a `missed` the device itself reported is its own `cose-sign1` dose_event (index `device_reported`).
 */
import { decodeCborStrict, encodeCbor, isCborMap, isDeviceId, type CborEncodable, type CborMap, type CborValue } from '@trialgate/firmware-protocol';
import type { LogEntry, Transport } from '@trialgate/proof-formats';
import { DOSE_TIME_PATTERN, MAX_SCHEDULED_DOSES, type ScheduledDose } from '../downlink/schedule-message.js';
import { DosingError } from './dosing-error.js';

export const DOSING_ENTRY_VERSION = 1;

export type DosingEntry =
  | {
      readonly event: 'schedule-set';
      readonly dev: string;
      readonly version: number;
      readonly tz: string;
      readonly windowMin: number;
      readonly remindMin: readonly number[];
      readonly doses: readonly ScheduledDose[];
      readonly by?: string;
    }
  | { readonly event: 'schedule-sent'; readonly dev: string; readonly id: number; readonly version: number; readonly msg: Uint8Array }
  | {
      readonly event: 'reminder-sent';
      readonly dev: string;
      readonly id: number;
      readonly slot: number;
      readonly scheduled: number;
      readonly windowEnd: number;
      readonly n: number;
      readonly msg: Uint8Array;
    }
  | {
      readonly event: 'ack';
      readonly dev: string;
      readonly ref: number;
      readonly of: string;
      readonly status: string;
      readonly reason?: string;
      readonly entry: number;
      readonly refEntry: number | null;
    }
  | {
      readonly event: 'dose-missed';
      readonly dev: string;
      readonly slot: number;
      readonly scheduled: number;
      readonly windowEnd: number;
      readonly version: number;
      readonly reminders: number;
      readonly deviceReported: number | null;
    };

export type DosingEvent = DosingEntry['event'];

export const DOSING_EVENTS: readonly DosingEvent[] = ['schedule-set', 'schedule-sent', 'reminder-sent', 'ack', 'dose-missed'];

export function encodeDosingEntry(entry: DosingEntry): Uint8Array {
  const map: Record<string, CborEncodable> = { v: DOSING_ENTRY_VERSION, event: entry.event, dev: entry.dev };
  switch (entry.event) {
    case 'schedule-set':
      Object.assign(map, {
        version: entry.version,
        tz: entry.tz,
        window_min: entry.windowMin,
        remind_min: [...entry.remindMin],
        doses: entry.doses.map((d) => ({ slot: d.slot, at: d.at })),
      });
      if (entry.by !== undefined) map['by'] = entry.by;
      break;
    case 'schedule-sent':
      Object.assign(map, { id: entry.id, version: entry.version, msg: entry.msg });
      break;
    case 'reminder-sent':
      Object.assign(map, { id: entry.id, slot: entry.slot, scheduled: entry.scheduled, window_end: entry.windowEnd, n: entry.n, msg: entry.msg });
      break;
    case 'ack':
      Object.assign(map, { ref: entry.ref, of: entry.of, status: entry.status });
      if (entry.reason !== undefined) map['reason'] = entry.reason;
      Object.assign(map, { entry: entry.entry, ref_entry: entry.refEntry });
      break;
    case 'dose-missed':
      Object.assign(map, {
        slot: entry.slot,
        scheduled: entry.scheduled,
        window_end: entry.windowEnd,
        version: entry.version,
        reminders: entry.reminders,
        device_reported: entry.deviceReported,
      });
      break;
  }
  return encodeCbor(map);
}

/** A log entry for a dosing record (the entry's deviceId is the record's `dev`). */
export function dosingLogEntry(entry: DosingEntry, receivedAtMs: number, transport: Transport): LogEntry {
  return { receivedAtMs, transport, deviceId: entry.dev, contentType: 'gateway', original: encodeDosingEntry(entry) };
}

const FIELDS: Readonly<Record<DosingEvent, readonly string[]>> = {
  'schedule-set': ['version', 'tz', 'window_min', 'remind_min', 'doses', 'by'],
  'schedule-sent': ['id', 'version', 'msg'],
  'reminder-sent': ['id', 'slot', 'scheduled', 'window_end', 'n', 'msg'],
  ack: ['ref', 'of', 'status', 'reason', 'entry', 'ref_entry'],
  'dose-missed': ['slot', 'scheduled', 'window_end', 'version', 'reminders', 'device_reported'],
};

/**
 * Decodes the `original` of a `gateway` entry: the dosing record, or null when the entry is another kind of
 * gateway record (its `event` is not a dosing event, e.g. a BLE clock offset).
 *
 * Attacker-controlled: entries come back from the log on disk and from proof bundles. Every field is
 * checked; only DosingError (E_DOSING_ENTRY) or the strict CBOR decoder's ProtocolError escape.
 */
export function decodeDosingEntry(original: Uint8Array): DosingEntry | null {
  const value = decodeCborStrict(original, { maxBytes: 64 * 1024, maxDepth: 4 });
  const fail = (why: string): never => {
    throw new DosingError('E_DOSING_ENTRY', `not a dosing record: ${why}`);
  };
  if (!isCborMap(value)) return fail('not a CBOR map');
  const event = value.get('event');
  if (typeof event !== 'string' || !Object.hasOwn(FIELDS, event)) return null;
  const known = event as DosingEvent;
  if (value.get('v') !== DOSING_ENTRY_VERSION) return fail('unknown version');
  const allowed = new Set(['v', 'event', 'dev', ...FIELDS[known]]);
  for (const key of value.keys()) if (typeof key !== 'string' || !allowed.has(key)) return fail(`unexpected key ${String(key).slice(0, 40)}`);
  const dev = value.get('dev');
  if (typeof dev !== 'string' || !isDeviceId(dev)) return fail('"dev" is not a device id');
  const r = reader(value, fail);
  switch (known) {
    case 'schedule-set': {
      const dosesValue = value.get('doses');
      if (!Array.isArray(dosesValue) || dosesValue.length > MAX_SCHEDULED_DOSES) return fail('"doses" is not a list');
      const doses = dosesValue.map((item) => {
        if (!isCborMap(item) || item.size !== 2) return fail('a dose is not {slot, at}');
        const slot = item.get('slot');
        const at = item.get('at');
        if (typeof slot !== 'number' || !Number.isSafeInteger(slot) || slot < 0) return fail('a dose slot is not a uint');
        if (typeof at !== 'string' || !DOSE_TIME_PATTERN.test(at)) return fail('a dose time is not HH:MM');
        return { slot, at };
      });
      const remind = value.get('remind_min');
      if (!Array.isArray(remind) || remind.length > 8 || remind.some((m) => typeof m !== 'number' || !Number.isSafeInteger(m) || m < 0)) {
        return fail('"remind_min" is not a list of uints');
      }
      const by = value.get('by');
      if (by !== undefined && typeof by !== 'string') return fail('"by" is not text');
      return {
        event: known,
        dev,
        version: r.uint('version', 1),
        tz: r.text('tz'),
        windowMin: r.uint('window_min', 1),
        remindMin: remind as number[],
        doses,
        ...(by === undefined ? {} : { by }),
      };
    }
    case 'schedule-sent':
      return { event: known, dev, id: r.uint('id', 1), version: r.uint('version', 1), msg: r.bytes('msg') };
    case 'reminder-sent':
      return {
        event: known,
        dev,
        id: r.uint('id', 1),
        slot: r.uint('slot'),
        scheduled: r.uint('scheduled'),
        windowEnd: r.uint('window_end'),
        n: r.uint('n', 1),
        msg: r.bytes('msg'),
      };
    case 'ack': {
      const reason = value.get('reason');
      if (reason !== undefined && typeof reason !== 'string') return fail('"reason" is not text');
      return {
        event: known,
        dev,
        ref: r.uint('ref'),
        of: r.text('of'),
        status: r.text('status'),
        ...(reason === undefined ? {} : { reason }),
        entry: r.uint('entry'),
        refEntry: r.uintOrNull('ref_entry'),
      };
    }
    case 'dose-missed':
      return {
        event: known,
        dev,
        slot: r.uint('slot'),
        scheduled: r.uint('scheduled'),
        windowEnd: r.uint('window_end'),
        version: r.uint('version', 1),
        reminders: r.uint('reminders'),
        deviceReported: r.uintOrNull('device_reported'),
      };
  }
}

function reader(map: CborMap, fail: (why: string) => never) {
  const get = (key: string): CborValue | undefined => map.get(key);
  return {
    uint(key: string, min = 0): number {
      const v = get(key);
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= min ? v : fail(`"${key}" is not a uint`);
    },
    uintOrNull(key: string): number | null {
      const v = get(key);
      if (v === null) return null;
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fail(`"${key}" is not a uint or null`);
    },
    text(key: string): string {
      const v = get(key);
      return typeof v === 'string' && v.length <= 256 ? v : fail(`"${key}" is not text`);
    },
    bytes(key: string): Uint8Array {
      const v = get(key);
      return v instanceof Uint8Array ? v : fail(`"${key}" is not bytes`);
    },
  };
}
