import type { Random } from '../random/random.js';
import type { FaultKind } from './fault-kind.js';

export interface PlannedFault {
  /** Offset from the start of the run, real ms. */
  readonly atMs: number;
  readonly kind: FaultKind;
}

/**
 * When to inject each fault: `perKind` of every kind, in a shuffled order, spread evenly between 15 % and
 * 75 % of the run, so there is valid traffic (and acknowledged messages to replay) before the first one and
 * time to recover after the last one.
 */
export function planFaults(kinds: readonly FaultKind[], perKind: number, durationMs: number, random: Random): PlannedFault[] {
  const all: FaultKind[] = [];
  for (let i = 0; i < perKind; i++) all.push(...kinds);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [all[i], all[j]] = [all[j] as FaultKind, all[i] as FaultKind];
  }
  const start = durationMs * 0.15;
  const span = durationMs * 0.6;
  return all.map((kind, i) => ({ kind, atMs: Math.round(start + (all.length === 1 ? 0 : (span * i) / (all.length - 1))) }));
}
