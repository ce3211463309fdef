/**
 * Flags on a logged device message: the firmware-protocol's payload flags (unknown type or key, implausible
 * value, ...) and the gateway's own `F_CLOCK_SKEW`, set when the device clock `t` is further than the
 * tolerance from the entry's `receivedAtMs` (issue 3: "flagged, not rejected").
 *
 * Decision (docs/gateway.md, "Flags"): flags are not stored anywhere. They are a pure function of the entry's
 * bytes and the tolerance, so the API, an export or an auditor's tool computes the same flags wherever the
 * entry is read, and nothing beside the log can disagree with it. Ingestion computes them too, for metrics.
 */
import { decodeDeviceMessage, type PayloadFlag } from '@trialgate/firmware-protocol';
import type { LogEntry } from '@trialgate/proof-formats';
import { gattEntryFlags, type GattFlagCode } from '../ble/gatt-entry-flags.js';

export type EntryFlagCode = PayloadFlag['code'] | 'F_CLOCK_SKEW' | GattFlagCode;

export interface EntryFlag {
  readonly code: EntryFlagCode;
  readonly path: string;
  readonly message: string;
}

export interface EntryFlagOptions {
  /** The gateway's `--clock-skew-tolerance`, in ms. */
  readonly clockSkewToleranceMs: number;
}

/** The device clock's offset from the gateway's at reception, when beyond the tolerance. */
export function clockSkewFlag(deviceTimeMs: number, receivedAtMs: number, toleranceMs: number): EntryFlag | null {
  const skewMs = deviceTimeMs - receivedAtMs;
  if (Math.abs(skewMs) <= toleranceMs) return null;
  return {
    code: 'F_CLOCK_SKEW',
    path: 't',
    message: `the device clock was ${Math.round(Math.abs(skewMs) / 1000)} s ${skewMs > 0 ? 'ahead of' : 'behind'} the gateway's (tolerance ${Math.round(toleranceMs / 1000)} s)`,
  };
}

/**
 * The flags of a logged entry; empty for entries that are not device messages (`registry`, `gateway`) and for
 * bytes that no longer decode (which the verifier reports on its own). GATT values: ble/gatt-entry-flags.ts.
 */
export function entryFlags(entry: LogEntry, options: EntryFlagOptions): EntryFlag[] {
  // Issue 6: standard BLE values carry flags of their own (PLX "device clock is not set", reserved bits).
  if (entry.contentType.startsWith('gatt:')) return gattEntryFlags(entry);
  if (entry.contentType !== 'cose-sign1') return [];
  try {
    const decoded = decodeDeviceMessage(entry.original, { maxBytes: entry.original.length });
    const flags: EntryFlag[] = decoded.flags.map((flag) => ({ code: flag.code, path: flag.path, message: flag.message }));
    const skew = clockSkewFlag(decoded.payload.t, entry.receivedAtMs, options.clockSkewToleranceMs);
    if (skew !== null) flags.push(skew);
    return flags;
  } catch {
    return [];
  }
}
