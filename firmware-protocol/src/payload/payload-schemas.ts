import { DOSE_EVENTS, type PayloadType } from './device-payload.js';

/**
 * The `data` schema of every payload type (spec section 2 table) and the plausibility ranges this
 * implementation flags. One table drives the decoder, the encoder and the documentation.
 *
 * Field kinds: `uint` is CBOR major type 0 only (a float such as 72.0 is a schema error: the spec says uint);
 * `float` accepts a CBOR float of any width or an integer (a C encoder using preferred serialization, or
 * firmware without an FPU, may write 97.0 as 97; the value is the same number and nothing is lost); non-finite
 * floats (NaN, infinities) are schema errors, since a reading that is not a number must be left out, not sent.
 *
 * Ranges are wide physiological limits, not clinical normals: values outside them are almost surely sensor,
 * unit or firmware errors. They are flagged (F_IMPLAUSIBLE_VALUE), never rejected.
 */
export type FieldKind = 'uint' | 'float' | 'text' | 'uint-array' | 'time';

export interface FieldSchema {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly unit?: string;
  /** Inclusive plausible range; outside it the value is flagged. */
  readonly plausible?: readonly [min: number, max: number];
  /** Plausible range of every element of a `uint-array`. */
  readonly plausibleElement?: readonly [min: number, max: number];
  /** Text fields with a fixed vocabulary (others are flagged F_UNKNOWN_VALUE). */
  readonly vocabulary?: readonly string[];
}

export const PAYLOAD_DATA_SCHEMAS: Readonly<Record<PayloadType, readonly FieldSchema[]>> = {
  heart_rate: [
    { name: 'bpm', kind: 'uint', required: true, unit: 'beats/min', plausible: [20, 300] },
    { name: 'rr_ms', kind: 'uint-array', required: false, unit: 'ms', plausibleElement: [200, 3000] },
  ],
  spo2: [
    { name: 'pct', kind: 'float', required: true, unit: '%', plausible: [50, 100] },
    { name: 'pulse_bpm', kind: 'uint', required: false, unit: 'beats/min', plausible: [20, 300] },
  ],
  body_temp: [{ name: 'celsius', kind: 'float', required: true, unit: '°C', plausible: [25, 45] }],
  blood_pressure: [
    { name: 'systolic_mmhg', kind: 'float', required: true, unit: 'mmHg', plausible: [40, 300] },
    { name: 'diastolic_mmhg', kind: 'float', required: true, unit: 'mmHg', plausible: [20, 200] },
    { name: 'map_mmhg', kind: 'float', required: false, unit: 'mmHg', plausible: [30, 250] },
    { name: 'pulse_bpm', kind: 'uint', required: false, unit: 'beats/min', plausible: [20, 300] },
  ],
  glucose: [{ name: 'mg_dl', kind: 'float', required: true, unit: 'mg/dL', plausible: [10, 1000] }],
  weight: [{ name: 'kg', kind: 'float', required: true, unit: 'kg', plausible: [0.3, 500] }],
  steps: [
    { name: 'count', kind: 'uint', required: true, unit: 'steps', plausible: [0, 200_000] },
    { name: 'interval_s', kind: 'uint', required: true, unit: 's', plausible: [1, 604_800] },
  ],
  dose_event: [
    { name: 'event', kind: 'text', required: true, vocabulary: DOSE_EVENTS },
    { name: 'slot', kind: 'uint', required: false },
    { name: 'kit', kind: 'text', required: false },
    { name: 'scheduled', kind: 'time', required: false, unit: 'ms since the Unix epoch' },
  ],
  device_status: [
    { name: 'battery_pct', kind: 'uint', required: false, unit: '%', plausible: [0, 100] },
    { name: 'fw', kind: 'text', required: false },
    { name: 'clock_sync', kind: 'text', required: false },
    { name: 'note', kind: 'text', required: false },
  ],
};

/** Times before 2000-01-01T00:00:00Z or from 2100-01-01T00:00:00Z on are flagged F_TIME_IMPLAUSIBLE. */
export const PLAUSIBLE_TIME_MS: readonly [min: number, max: number] = [946_684_800_000, 4_102_444_800_000 - 1];

/** Steps: more than 5 steps per second over the interval (300/min, a sprint cadence) is flagged. */
export const MAX_PLAUSIBLE_STEPS_PER_SECOND = 5;
