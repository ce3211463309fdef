import type { CborValue } from '../cbor/cbor-value.js';

/**
 * The decoded payload of a device message (spec section 2). Plain data: numbers, strings, arrays, records.
 * Keys the spec does not define are kept in `extra` (top level and inside `data`), flagged, never dropped; the
 * original bytes are what is logged anyway (spec section 4), this is only their reading.
 */
export const PAYLOAD_VERSION = 1;

export const PAYLOAD_TYPES = [
  'heart_rate',
  'spo2',
  'body_temp',
  'blood_pressure',
  'glucose',
  'weight',
  'steps',
  'dose_event',
  'device_status',
] as const;

export type PayloadType = (typeof PAYLOAD_TYPES)[number];

export const DOSE_EVENTS = ['taken', 'missed', 'compartment_opened', 'pack_loaded', 'tamper'] as const;
export type DoseEventKind = (typeof DOSE_EVENTS)[number];

/** Keys not in the spec, with their decoded values (CBOR floats as `CborFloat`). */
export type ExtraFields = Readonly<Record<string, CborValue>>;

export interface HeartRateData {
  readonly bpm: number;
  readonly rr_ms?: readonly number[];
  readonly extra?: ExtraFields;
}
export interface Spo2Data {
  readonly pct: number;
  readonly pulse_bpm?: number;
  readonly extra?: ExtraFields;
}
export interface BodyTempData {
  readonly celsius: number;
  readonly extra?: ExtraFields;
}
export interface BloodPressureData {
  readonly systolic_mmhg: number;
  readonly diastolic_mmhg: number;
  readonly map_mmhg?: number;
  readonly pulse_bpm?: number;
  readonly extra?: ExtraFields;
}
export interface GlucoseData {
  readonly mg_dl: number;
  readonly extra?: ExtraFields;
}
export interface WeightData {
  readonly kg: number;
  readonly extra?: ExtraFields;
}
export interface StepsData {
  readonly count: number;
  readonly interval_s: number;
  readonly extra?: ExtraFields;
}
export interface DoseEventData {
  /** One of `DOSE_EVENTS`; another text is kept and flagged (F_UNKNOWN_VALUE). */
  readonly event: DoseEventKind | (string & {});
  readonly slot?: number;
  /** GS1 element string of the kit or pack (GTIN, serial, lot, expiry), as sent. */
  readonly kit?: string;
  /** Scheduled time of the dose, ms since the Unix epoch. */
  readonly scheduled?: number;
  readonly extra?: ExtraFields;
}
export interface DeviceStatusData {
  readonly battery_pct?: number;
  readonly fw?: string;
  readonly clock_sync?: string;
  readonly note?: string;
  readonly extra?: ExtraFields;
}

export interface PayloadDataByType {
  readonly heart_rate: HeartRateData;
  readonly spo2: Spo2Data;
  readonly body_temp: BodyTempData;
  readonly blood_pressure: BloodPressureData;
  readonly glucose: GlucoseData;
  readonly weight: WeightData;
  readonly steps: StepsData;
  readonly dose_event: DoseEventData;
  readonly device_status: DeviceStatusData;
}

interface PayloadEnvelope {
  /** Payload version, 1. */
  readonly v: number;
  /** Device id; equals the message's kid. */
  readonly dev: string;
  /** Per-device counter from 1. */
  readonly seq: number;
  /** Device clock at measurement, ms since the Unix epoch (UTC). */
  readonly t: number;
  readonly extra?: ExtraFields;
}

export type KnownDevicePayload = {
  [T in PayloadType]: PayloadEnvelope & { readonly type: T; readonly data: PayloadDataByType[T] };
}[PayloadType];

/** A payload whose `type` this version does not know: kept, flagged F_UNKNOWN_TYPE, `data` read as is. */
export interface UnknownTypeDevicePayload extends PayloadEnvelope {
  readonly type: string;
  readonly data: ExtraFields;
}

export type DevicePayload = KnownDevicePayload | UnknownTypeDevicePayload;

export type DevicePayloadOfType<T extends PayloadType> = Extract<KnownDevicePayload, { readonly type: T }>;

export function isKnownPayloadType(type: string): type is PayloadType {
  return (PAYLOAD_TYPES as readonly string[]).includes(type);
}

/** Narrows a payload to one known type: `if (isPayloadOfType(p, 'heart_rate')) p.data.bpm`. */
export function isPayloadOfType<T extends PayloadType>(payload: DevicePayload, type: T): payload is DevicePayloadOfType<T> {
  return payload.type === type;
}
