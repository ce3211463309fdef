/**
 * The demo's live progress: on a terminal, a block of lines redrawn in place once a second; anywhere else
 * (CI logs, pipes, files), one plain line every few seconds, since cursor movements would only garble them.
 * Messages (a part started, the final checkpoint signed) are printed above the block and stay.
 */
import type { SiteSnapshot } from './gateway-probe.js';

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressView {
  readonly elapsedS: number;
  readonly durationS: number;
  readonly devicesTotal: number;
  readonly devicesOnline: number;
  readonly readingsPerS: number;
  readonly entries: number;
  readonly checkpoints: number;
  readonly checkpointSize: number;
  readonly anchorsSubmitted: number;
  readonly anchorsFinal: number;
  readonly quarantined: number;
}

/** Readings per second over the snapshots of the last `windowMs` (the newest snapshot last). */
export function readingsPerSecond(snapshots: readonly SiteSnapshot[], windowMs = 3000): number {
  const newest = snapshots.at(-1);
  if (newest === undefined) return 0;
  const oldest = snapshots.find((s) => newest.atMs - s.atMs <= windowMs) ?? newest;
  const seconds = (newest.atMs - oldest.atMs) / 1000;
  return seconds > 0 ? Math.max(0, (newest.received - oldest.received) / seconds) : 0;
}

export function progressView(
  snapshots: readonly SiteSnapshot[],
  run: { readonly elapsedS: number; readonly durationS: number; readonly devicesTotal: number },
): ProgressView {
  const newest = snapshots.at(-1);
  return {
    ...run,
    devicesOnline: newest?.devicesOnline ?? 0,
    readingsPerS: readingsPerSecond(snapshots),
    entries: newest?.entries ?? 0,
    checkpoints: newest?.checkpointsSigned ?? 0,
    checkpointSize: newest?.checkpointSize ?? 0,
    anchorsSubmitted: newest?.anchorsSubmitted ?? 0,
    anchorsFinal: newest?.anchorsFinal ?? 0,
    quarantined: newest?.quarantined ?? 0,
  };
}

const count = (value: number): string => Math.round(value).toLocaleString('en-US');

export function renderLive(view: ProgressView): string[] {
  const elapsed = Math.min(Math.floor(view.elapsedS), Math.ceil(view.durationS));
  const lines = [
    `  time         ${elapsed} s of ${view.durationS} s   (Ctrl-C finishes early)`,
    `  devices      ${count(view.devicesOnline)} of ${count(view.devicesTotal)} online`,
    `  readings     ${view.readingsPerS.toFixed(1)} per second`,
    `  log          ${count(view.entries)} entries`,
    `  checkpoints  ${count(view.checkpoints)} signed, the latest covers ${count(view.checkpointSize)} entries`,
    `  anchors      ${count(view.anchorsSubmitted)} sent to the chain, ${count(view.anchorsFinal)} final`,
  ];
  if (view.quarantined > 0) lines.push(`  quarantine   ${count(view.quarantined)} refused messages kept with their reasons`);
  return lines;
}

export function renderPlain(view: ProgressView): string {
  const parts = [
    `devices ${count(view.devicesOnline)}/${count(view.devicesTotal)} online`,
    `${view.readingsPerS.toFixed(1)} readings/s`,
    `${count(view.entries)} entries`,
    `${count(view.checkpoints)} checkpoints`,
    `anchors ${count(view.anchorsSubmitted)} sent, ${count(view.anchorsFinal)} final`,
  ];
  if (view.quarantined > 0) parts.push(`${count(view.quarantined)} quarantined`);
  return `[${String(Math.floor(view.elapsedS)).padStart(4)} s] ${parts.join(' | ')}`;
}

export class ProgressDisplay {
  readonly #out: OutputStream;
  readonly #live: boolean;
  readonly #plainEveryMs: number;
  #drawn = 0;
  #lastPlainAtS = Number.NEGATIVE_INFINITY;
  #lastView: ProgressView | null = null;

  constructor(out: OutputStream, options: { readonly live?: boolean; readonly plainEveryS?: number } = {}) {
    this.#out = out;
    this.#live = options.live ?? out.isTTY === true;
    this.#plainEveryMs = (options.plainEveryS ?? 5) * 1000;
  }

  get live(): boolean {
    return this.#live;
  }

  /** A line that stays (printed above the live block). */
  message(text: string): void {
    if (this.#live && this.#drawn > 0) {
      this.#erase();
      this.#out.write(`${text}\n`);
      if (this.#lastView !== null) this.#draw(renderLive(this.#lastView));
      return;
    }
    this.#out.write(`${text}\n`);
  }

  update(view: ProgressView): void {
    this.#lastView = view;
    if (this.#live) {
      this.#erase();
      this.#draw(renderLive(view));
      return;
    }
    if (view.elapsedS * 1000 - this.#lastPlainAtS * 1000 >= this.#plainEveryMs) {
      this.#lastPlainAtS = view.elapsedS;
      this.#out.write(`${renderPlain(view)}\n`);
    }
  }

  /** Ends the live block, leaving its last state on screen (a terminal) or a last plain line. */
  finish(): void {
    if (!this.#live && this.#lastView !== null && Math.floor(this.#lastView.elapsedS) !== Math.floor(this.#lastPlainAtS)) {
      this.#out.write(`${renderPlain(this.#lastView)}\n`);
    }
    this.#drawn = 0;
    this.#lastView = null;
  }

  #draw(lines: readonly string[]): void {
    this.#out.write(lines.map((line) => `\r\x1b[2K${line}\n`).join(''));
    this.#drawn = lines.length;
  }

  #erase(): void {
    if (this.#drawn === 0) return;
    // Up to the block's first line, then clear everything below the cursor.
    this.#out.write(`\x1b[${this.#drawn}A\r\x1b[J`);
    this.#drawn = 0;
  }
}
