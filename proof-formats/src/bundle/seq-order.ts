import type { SeqGap } from './verification-report.js';

/** One proven, signed reading of a device: its `seq` and where it is. */
export interface SeqObservation {
  readonly deviceId: string;
  readonly seq: number;
  readonly index: number;
  readonly position: number;
}

export interface SeqFindings {
  /** The same seq in two different log entries: a failure (the gateway logs each message once). */
  readonly repeated: readonly { readonly first: SeqObservation; readonly second: SeqObservation }[];
  /** seq going down as the log index goes up: reported, no failure. */
  readonly outOfOrder: readonly { readonly earlier: SeqObservation; readonly later: SeqObservation }[];
  readonly gaps: readonly SeqGap[];
}

/**
 * Spec section 8, per-device `seq` order: a seq seen in two different log entries is a failure; gaps are
 * reported but are no failure, since a bundle may hold a selection. One log index listed twice in a bundle
 * is one observation, not a repeat.
 */
export function checkSeqOrder(observations: readonly SeqObservation[]): SeqFindings {
  const byDevice = new Map<string, SeqObservation[]>();
  for (const o of observations) {
    const list = byDevice.get(o.deviceId) ?? [];
    list.push(o);
    byDevice.set(o.deviceId, list);
  }
  const repeated: { first: SeqObservation; second: SeqObservation }[] = [];
  const outOfOrder: { earlier: SeqObservation; later: SeqObservation }[] = [];
  const gaps: SeqGap[] = [];
  for (const [deviceId, list] of [...byDevice].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const byIndex = [...new Map(list.map((o) => [o.index, o])).values()].sort((a, b) => a.index - b.index);
    const seen = new Map<number, SeqObservation>();
    let previous: SeqObservation | undefined;
    for (const o of byIndex) {
      const first = seen.get(o.seq);
      if (first !== undefined) {
        // A repeat is reported as such, not also as out of order.
        repeated.push({ first, second: o });
        continue;
      }
      seen.set(o.seq, o);
      if (previous !== undefined && o.seq < previous.seq) outOfOrder.push({ earlier: previous, later: o });
      previous = o;
    }
    const seqs = [...seen.keys()].sort((a, b) => a - b);
    for (let i = 1; i < seqs.length; i++) {
      const before = seqs[i] ?? 0;
      const after = seqs[i - 1] ?? 0;
      if (before - after > 1) gaps.push({ deviceId, afterSeq: after, beforeSeq: before, missing: before - after - 1 });
    }
  }
  return { repeated, outOfOrder, gaps };
}
