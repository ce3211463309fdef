import { CborFloat, type CborMapKey, type CborValue } from '../cbor/cbor-value.js';
import { decodeCborStrict } from '../cbor/decode-cbor-strict.js';
import { describeCborValue } from '../cbor/describe-cbor-value.js';
import { DEVICE_MESSAGE_DEFAULT_MAX_BYTES } from '../cose/cose-sign1.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { DEVICE_ID_PATTERN } from '../identity/device-id.js';
import { PAYLOAD_VERSION, isKnownPayloadType, type DevicePayload, type ExtraFields } from './device-payload.js';
import type { PayloadFlag } from './payload-flag.js';
import {
  MAX_PLAUSIBLE_STEPS_PER_SECOND,
  PAYLOAD_DATA_SCHEMAS,
  PLAUSIBLE_TIME_MS,
  type FieldSchema,
} from './payload-schemas.js';

export interface DecodeDevicePayloadOptions {
  /** Reject larger payloads with E_CBOR_TOO_LARGE (default 4096 bytes). */
  readonly maxBytes?: number;
}

export interface DecodedDevicePayload {
  readonly payload: DevicePayload;
  /** Remarks for a person; empty when nothing is unusual. */
  readonly flags: readonly PayloadFlag[];
}

const ENVELOPE_KEYS = new Set(['v', 'dev', 'seq', 't', 'type', 'data']);

// Built once, not per message (this runs on the gateway's check workers for every reading): each field's
// path as errors and flags name it, and each type's known `data` keys.
const FIELD_PATHS = new Map<FieldSchema, string>();
const DATA_KEYS = new Map<string, ReadonlySet<string>>();
for (const [type, schema] of Object.entries(PAYLOAD_DATA_SCHEMAS)) {
  for (const field of schema) FIELD_PATHS.set(field, `data.${field.name}`);
  DATA_KEYS.set(type, new Set(schema.map((field) => field.name)));
}

/**
 * Reads a payload map (spec section 2) and checks it against its type's schema.
 *
 * Attacker-controlled: the bytes come from a device (inside a COSE_Sign1 whose signature may not yet have been
 * checked). Strict CBOR first (E_CBOR_*), floats kept distinct from integers; then, first problem wins:
 * a map with text keys, `v` present and 1 (E_PAYLOAD_VERSION for another version), `dev` a device id, `seq` a
 * uint >= 1, `t` a uint, `type` text, `data` a map with text keys, then every field of the type's schema in the
 * order of `PAYLOAD_DATA_SCHEMAS` (E_PAYLOAD_SCHEMA, with `details.path`). Values outside plausible ranges,
 * unknown types, keys and words are flagged (`flags`), never rejected or altered.
 */
export function decodeDevicePayload(payloadBytes: Uint8Array, options: DecodeDevicePayloadOptions = {}): DecodedDevicePayload {
  const root = decodeCborStrict(payloadBytes, {
    maxBytes: options.maxBytes ?? DEVICE_MESSAGE_DEFAULT_MAX_BYTES,
    preserveFloats: true,
  });
  const flags: PayloadFlag[] = [];
  const top = textKeyedMap(root, '', 'the payload');

  const v = top.get('v');
  if (!top.has('v')) throw missing('v');
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw mismatch('v', 'an unsigned integer (1)', v);
  if (v !== PAYLOAD_VERSION) {
    throw new ProtocolError('E_PAYLOAD_VERSION', `v: payload version ${v} is not supported (this implementation reads version ${PAYLOAD_VERSION})`, {
      details: { path: 'v', found: v },
    });
  }
  const dev = readText(top, 'dev', 'dev', true);
  if (dev !== undefined && !DEVICE_ID_PATTERN.test(dev)) {
    throw new ProtocolError('E_PAYLOAD_SCHEMA', `dev: ${JSON.stringify(dev.slice(0, 80))} is not a device id (${DEVICE_ID_PATTERN.source})`, {
      details: { path: 'dev', expected: 'a device id' },
    });
  }
  const seq = readUint(top, 'seq', 'seq', true);
  if (seq === 0) {
    throw new ProtocolError('E_PAYLOAD_SCHEMA', 'seq: the counter starts at 1, found 0', {
      details: { path: 'seq', expected: 'an unsigned integer >= 1', found: 0 },
    });
  }
  const t = readUint(top, 't', 't', true);
  flagTime(flags, 't', t);
  const type = readText(top, 'type', 'type', true);
  if (!top.has('data')) throw missing('data');
  const dataMap = textKeyedMap(top.get('data'), 'data', 'data');
  const extra = extras(top, ENVELOPE_KEYS, '', flags);

  let data: Record<string, unknown>;
  if (type !== undefined && isKnownPayloadType(type)) {
    const schema = PAYLOAD_DATA_SCHEMAS[type];
    data = {};
    for (const field of schema) {
      const value = readField(dataMap, field, flags);
      if (value !== undefined) data[field.name] = value;
    }
    const dataExtra = extras(dataMap, DATA_KEYS.get(type) ?? new Set(), 'data.', flags);
    if (dataExtra !== undefined) data['extra'] = dataExtra;
    crossCheck(type, data, flags);
  } else {
    flags.push({
      code: 'F_UNKNOWN_TYPE',
      path: 'type',
      message: `type ${JSON.stringify(type)} is not a type this version knows; kept as received, data not checked`,
    });
    data = Object.fromEntries(dataMap);
  }

  const payload = {
    v,
    dev,
    seq,
    t,
    type,
    data,
    ...(extra === undefined ? {} : { extra }),
  } as DevicePayload;
  return { payload, flags };
}

function readField(map: ReadonlyMap<string, CborValue>, field: FieldSchema, flags: PayloadFlag[]): unknown {
  const path = FIELD_PATHS.get(field) ?? `data.${field.name}`;
  switch (field.kind) {
    case 'uint': {
      const value = readUint(map, field.name, path, field.required);
      flagRange(flags, path, value, field);
      return value;
    }
    case 'time': {
      const value = readUint(map, field.name, path, field.required);
      flagTime(flags, path, value);
      return value;
    }
    case 'float': {
      const value = readFloat(map, field.name, path, field.required);
      flagRange(flags, path, value, field);
      return value;
    }
    case 'text': {
      const value = readText(map, field.name, path, field.required);
      if (value !== undefined && field.vocabulary !== undefined && !field.vocabulary.includes(value)) {
        flags.push({
          code: 'F_UNKNOWN_VALUE',
          path,
          message: `${path} = ${JSON.stringify(value)} is not one of ${field.vocabulary.join(', ')}; kept as received`,
        });
      }
      return value;
    }
    case 'uint-array': {
      if (!map.has(field.name)) {
        if (field.required) throw missing(path);
        return undefined;
      }
      const value = map.get(field.name);
      if (!Array.isArray(value)) throw mismatch(path, 'an array of unsigned integers', value);
      const items = value as readonly CborValue[];
      const out: number[] = [];
      const range = field.plausibleElement;
      for (let index = 0; index < items.length; index += 1) {
        const item = items[index];
        // An element's path is built only when it is named (an error or a flag).
        const n = typeof item === 'number' && item >= 0 ? item : asUint(item, `${path}[${index}]`);
        if (range !== undefined && (n < range[0] || n > range[1])) flagOutside(flags, `${path}[${index}]`, n, range, field.unit);
        out.push(n);
      }
      return out;
    }
  }
}

function readUint(map: ReadonlyMap<string, CborValue>, key: string, path: string, required: true): number;
function readUint(map: ReadonlyMap<string, CborValue>, key: string, path: string, required: boolean): number | undefined;
function readUint(map: ReadonlyMap<string, CborValue>, key: string, path: string, required: boolean): number | undefined {
  if (!map.has(key)) {
    if (required) throw missing(path);
    return undefined;
  }
  return asUint(map.get(key), path);
}

function asUint(value: CborValue, path: string): number {
  if (typeof value === 'number' && value >= 0) return value;
  if (typeof value === 'bigint' && value > 0n) {
    throw mismatch(path, `an unsigned integer up to ${Number.MAX_SAFE_INTEGER}`, value);
  }
  throw mismatch(path, value instanceof CborFloat ? 'an unsigned integer (CBOR major type 0), not a float' : 'an unsigned integer', value);
}

function readFloat(map: ReadonlyMap<string, CborValue>, key: string, path: string, required: boolean): number | undefined {
  if (!map.has(key)) {
    if (required) throw missing(path);
    return undefined;
  }
  const value = map.get(key);
  // Integers are accepted in float fields: 97 and 97.0 are the same reading (see payload-schemas.ts).
  const n = value instanceof CborFloat ? value.value : typeof value === 'number' ? value : undefined;
  if (n === undefined) throw mismatch(path, 'a number (CBOR float, or an integer)', value);
  if (!Number.isFinite(n)) throw mismatch(path, 'a finite number', value);
  return n;
}

function readText(map: ReadonlyMap<string, CborValue>, key: string, path: string, required: true): string;
function readText(map: ReadonlyMap<string, CborValue>, key: string, path: string, required: boolean): string | undefined;
function readText(map: ReadonlyMap<string, CborValue>, key: string, path: string, required: boolean): string | undefined {
  if (!map.has(key)) {
    if (required) throw missing(path);
    return undefined;
  }
  const value = map.get(key);
  if (typeof value !== 'string') throw mismatch(path, 'a text string', value);
  return value;
}

function textKeyedMap(value: CborValue, path: string, what: string): ReadonlyMap<string, CborValue> {
  if (!(value instanceof Map)) throw mismatch(path, `${what} as a map with text keys`, value, what);
  for (const key of value.keys()) {
    if (typeof key !== 'string') {
      throw new ProtocolError('E_PAYLOAD_SCHEMA', `${what}: keys must be text strings, found the integer key ${key.toString()}`, {
        details: { path, expected: 'text keys', found: key.toString() },
      });
    }
  }
  return value as ReadonlyMap<string, CborValue>;
}

function extras(
  map: ReadonlyMap<CborMapKey, CborValue>,
  known: ReadonlySet<string>,
  prefix: string,
  flags: PayloadFlag[],
): ExtraFields | undefined {
  // Most payloads have no unknown key: the list is made only for the first one.
  let entries: [string, CborValue][] | undefined;
  // Keys, not entries: iterating entries makes a [key, value] pair for every field.
  for (const key of map.keys()) {
    if (typeof key === 'string' && !known.has(key)) {
      (entries ??= []).push([key, map.get(key)]);
      flags.push({
        code: 'F_UNKNOWN_KEY',
        path: `${prefix}${key}`,
        message: `key ${JSON.stringify(`${prefix}${key}`)} is not in the spec; kept as received`,
      });
    }
  }
  // Object.fromEntries defines own properties, so a key such as "__proto__" cannot reach a prototype.
  return entries === undefined ? undefined : Object.fromEntries(entries);
}

function flagRange(flags: PayloadFlag[], path: string, value: number | undefined, field: FieldSchema): void {
  if (value === undefined || field.plausible === undefined) return;
  const [min, max] = field.plausible;
  if (value < min || value > max) flagOutside(flags, path, value, field.plausible, field.unit);
}

function flagOutside(flags: PayloadFlag[], path: string, value: number, [min, max]: readonly [number, number], unitName: string | undefined): void {
  const unit = unitName === undefined ? '' : ` ${unitName}`;
  flags.push({
    code: 'F_IMPLAUSIBLE_VALUE',
    path,
    message: `${path} = ${value}${unit} is outside the plausible range ${min}-${max}${unit}; kept as received`,
  });
}

function flagTime(flags: PayloadFlag[], path: string, value: number | undefined): void {
  if (value === undefined) return;
  const [min, max] = PLAUSIBLE_TIME_MS;
  if (value < min || value > max) {
    flags.push({
      code: 'F_TIME_IMPLAUSIBLE',
      path,
      message: `${path} = ${value} ms is not between 2000-01-01 and 2099-12-31 (clock not set, or seconds instead of milliseconds?)`,
    });
  }
}

function crossCheck(type: string, data: Record<string, unknown>, flags: PayloadFlag[]): void {
  if (type === 'blood_pressure') {
    const systolic = data['systolic_mmhg'] as number;
    const diastolic = data['diastolic_mmhg'] as number;
    const map = data['map_mmhg'] as number | undefined;
    if (diastolic >= systolic) {
      flags.push({
        code: 'F_INCONSISTENT_VALUES',
        path: 'data.diastolic_mmhg',
        message: `diastolic ${diastolic} mmHg is not below systolic ${systolic} mmHg`,
      });
    } else if (map !== undefined && (map < diastolic || map > systolic)) {
      flags.push({
        code: 'F_INCONSISTENT_VALUES',
        path: 'data.map_mmhg',
        message: `mean arterial pressure ${map} mmHg is not between diastolic ${diastolic} and systolic ${systolic} mmHg`,
      });
    }
  }
  if (type === 'steps') {
    const count = data['count'] as number;
    const interval = data['interval_s'] as number;
    if (interval > 0 && count / interval > MAX_PLAUSIBLE_STEPS_PER_SECOND) {
      flags.push({
        code: 'F_INCONSISTENT_VALUES',
        path: 'data.count',
        message: `${count} steps in ${interval} s is more than ${MAX_PLAUSIBLE_STEPS_PER_SECOND} steps per second`,
      });
    }
  }
}

function missing(path: string): ProtocolError {
  return new ProtocolError('E_PAYLOAD_SCHEMA', `${path}: required field is missing`, {
    details: { path, expected: 'present' },
  });
}

function mismatch(path: string, expected: string, found: CborValue, what?: string): ProtocolError {
  const where = path === '' ? (what ?? 'payload') : path;
  return new ProtocolError('E_PAYLOAD_SCHEMA', `${where}: expected ${expected}, found ${describeCborValue(found)}`, {
    details: { path, expected, found: describeCborValue(found) },
  });
}
