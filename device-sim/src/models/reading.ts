/**
 * What a model measures: the `t`, `type` and `data` of a device message payload (spec section 2). The device
 * adds `v`, `dev` and `seq` when it signs. Units are the spec's, fixed: bpm, percent, degrees Celsius, mmHg,
 * mg/dL, kg.
 */
export type ReadingType =
  | 'heart_rate'
  | 'spo2'
  | 'body_temp'
  | 'blood_pressure'
  | 'glucose'
  | 'weight'
  | 'steps'
  | 'dose_event'
  | 'device_status';

export type DoseEventKind = 'taken' | 'missed' | 'compartment_opened' | 'pack_loaded' | 'tamper';

export type ReadingValue = number | string | readonly number[];

export interface Reading {
  /** Device clock at measurement, ms since the Unix epoch (UTC). */
  readonly t: number;
  readonly type: ReadingType;
  readonly data: Readonly<Record<string, ReadingValue>>;
}

/**
 * The `data` fields the spec types as float (section 2). They are written as CBOR floats even when the value
 * happens to be integral (97.0 %), as a C firmware writing a `double` would; every other number is a uint.
 */
export const FLOAT_FIELDS: Readonly<Partial<Record<ReadingType, readonly string[]>>> = {
  spo2: ['pct'],
  body_temp: ['celsius'],
  blood_pressure: ['systolic_mmhg', 'diastolic_mmhg', 'map_mmhg'],
  glucose: ['mg_dl'],
  weight: ['kg'],
};
