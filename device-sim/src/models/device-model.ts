import type { DeviceKind } from './device-kind.js';
import type { Reading } from './reading.js';

/**
 * A message from the gateway, after its signature was checked (see `downlink/`), as a model sees it. Only
 * `type` and `data` matter to a model; the format of `schedule` and `reminder` data is not fixed yet (issue
 * 6), so models read it defensively.
 */
export interface DownlinkEvent {
  readonly type: string;
  /** Gateway clock when it sent the message (ms). */
  readonly t: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * A device's behaviour in simulated time. Models are deterministic given their `Random` and the sequence of
 * calls: no wall clock, no `Math.random`.
 */
export interface DeviceModel {
  readonly kind: DeviceKind;
  /**
   * The readings measured after the previous `advance` and up to `toMs` (included), in time order. The
   * first call starts the model at `toMs` (it reports only what happens at boot).
   */
  advance(toMs: number): Reading[];
  /**
   * One reading measured at `atMs`, whatever the model's natural cadence: load mode drives devices at a
   * fixed rate. Dose devices return a due dose event if any, else a status report.
   */
  sample(atMs: number): Reading;
  /** A verified downlink message arrived (a reminder makes a late dose more likely to be taken). */
  onDownlink(event: DownlinkEvent, atMs: number): void;
}
