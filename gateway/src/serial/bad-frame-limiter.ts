/**
 * Bounds how many refused frames of one line are written to quarantine: a noisy or babbling line (a loose
 * ground, a device in a boot loop printing text) could otherwise fill the quarantine store at thousands of
 * records a second. Up to `perSecond` refused frames a second are recorded one by one; the rest are counted
 * by reason and recorded as one summary record (`E_SERIAL_FRAMES_SUPPRESSED`) when the second ends, so
 * nothing is dropped silently (spec section 7).
 */

export interface SuppressedFrames {
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
  readonly byReason: Readonly<Record<string, number>>;
}

export class BadFrameLimiter {
  private windowStart = -Infinity;
  private recorded = 0;
  private suppressed: { fromMs: number; toMs: number; count: number; byReason: Record<string, number> } | null = null;

  constructor(private readonly perSecond: number) {}

  /** True: record this frame on its own. False: it was counted into the pending summary. */
  admit(nowMs: number, reason: string): boolean {
    if (nowMs - this.windowStart >= 1000) {
      this.windowStart = nowMs;
      this.recorded = 0;
    }
    if (this.recorded < this.perSecond) {
      this.recorded += 1;
      return true;
    }
    const s = (this.suppressed ??= { fromMs: nowMs, toMs: nowMs, count: 0, byReason: {} });
    s.toMs = nowMs;
    s.count += 1;
    s.byReason[reason] = (s.byReason[reason] ?? 0) + 1;
    return false;
  }

  /** The frames counted since the last call, if any (then forgotten). */
  take(): SuppressedFrames | null {
    const s = this.suppressed;
    this.suppressed = null;
    return s;
  }
}
