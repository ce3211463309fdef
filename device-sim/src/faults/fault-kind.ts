/**
 * The faults the simulator injects beside valid traffic (issue 5). Each names what a real site sees: damage in
 * transit, a device with the wrong key, a stranger, a misconfigured or hostile device, a retransmission, a
 * device that reuses a seq, a device whose clock is off, a runaway payload and garbage.
 */
export const FAULT_KINDS = [
  'corrupted_bytes',
  'bad_signature',
  'unknown_device',
  'wrong_topic',
  'replayed_seq',
  'conflicting_seq',
  'clock_skew',
  'oversize',
  'malformed_cbor',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * What the gateway is expected to do with a message, from the spec and issue 3; the end-to-end test maps
 * these (and the fault kind) to the gateway's reason codes.
 * - `logged`: appended to the log once (valid traffic).
 * - `logged_flagged`: appended, with a clock flag (issue 3: a device clock far off "is flagged, not rejected").
 * - `quarantined`: kept in quarantine with a reason and acknowledged (spec section 7, first bullet).
 * - `quarantined_and_disconnected`: an attempt to act as another device: quarantined, and the connection
 *   closed (spec section 7, second bullet).
 * - `duplicate_acked`: the same bytes again, acknowledged without a second log entry (issue 3); whether the
 *   gateway also keeps a quarantine record of it is the gateway's choice.
 * - `connect_refused`: an unregistered device cannot connect (spec section 3), so its message never arrives.
 */
export type ExpectedOutcome =
  | 'logged'
  | 'logged_flagged'
  | 'quarantined'
  | 'quarantined_and_disconnected'
  | 'duplicate_acked'
  | 'connect_refused';

export const FAULT_EXPECTATIONS: Readonly<Record<FaultKind, ExpectedOutcome>> = {
  corrupted_bytes: 'quarantined',
  bad_signature: 'quarantined',
  unknown_device: 'connect_refused',
  wrong_topic: 'quarantined_and_disconnected',
  replayed_seq: 'duplicate_acked',
  conflicting_seq: 'quarantined',
  clock_skew: 'logged_flagged',
  oversize: 'quarantined',
  malformed_cbor: 'quarantined',
};

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}
