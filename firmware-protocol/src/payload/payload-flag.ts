/**
 * A remark about a payload that decoded and matches its schema but deserves a person's attention. Flags never
 * change or drop anything: the reading is stored as received and the flags travel beside it (ALCOA+: original,
 * accurate; the reviewer decides). Codes are stable.
 *
 * - `F_UNKNOWN_TYPE`: `type` is not one this version knows (spec section 2: kept but flagged).
 * - `F_UNKNOWN_KEY`: a key the spec does not define, at the top level or in `data` (kept in `extra`).
 * - `F_UNKNOWN_VALUE`: a text field with a fixed vocabulary holds another word (`dose_event.event`).
 * - `F_IMPLAUSIBLE_VALUE`: a value outside its plausible range (docs/firmware-protocol.md has the table).
 * - `F_INCONSISTENT_VALUES`: values that cannot all be right together (diastolic above systolic, ...).
 * - `F_TIME_IMPLAUSIBLE`: a time (`t`, `scheduled`) before 2000-01-01 or from 2100 on: a device clock that was
 *   never set, or a unit error (seconds instead of milliseconds).
 */
export type PayloadFlagCode =
  | 'F_UNKNOWN_TYPE'
  | 'F_UNKNOWN_KEY'
  | 'F_UNKNOWN_VALUE'
  | 'F_IMPLAUSIBLE_VALUE'
  | 'F_INCONSISTENT_VALUES'
  | 'F_TIME_IMPLAUSIBLE';

export interface PayloadFlag {
  readonly code: PayloadFlagCode;
  /** Where: `type`, `data.bpm`, `data.rr_ms[2]`, `firmware_build` ... */
  readonly path: string;
  readonly message: string;
}
