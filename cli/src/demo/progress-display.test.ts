import { describe, expect, it } from 'vitest';
import type { SiteSnapshot } from './gateway-probe.js';
import { ProgressDisplay, progressView, readingsPerSecond, renderLive, renderPlain, type ProgressView } from './progress-display.js';

function snapshot(atMs: number, received: number): SiteSnapshot {
  return { atMs, received, devicesOnline: 20, entries: received + 20, checkpointsSigned: 3, checkpointSize: 400, anchorsSubmitted: 2, anchorsFinal: 1, quarantined: 0 };
}

const VIEW: ProgressView = {
  elapsedS: 12.4, durationS: 60, devicesTotal: 20, devicesOnline: 19, readingsPerS: 49.96, entries: 1234,
  checkpoints: 6, checkpointSize: 1200, anchorsSubmitted: 3, anchorsFinal: 2, quarantined: 0,
};

class Capture {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('progress', () => {
  it('computes readings per second over the last three seconds of snapshots', () => {
    expect(readingsPerSecond([])).toBe(0);
    expect(readingsPerSecond([snapshot(0, 0)])).toBe(0);
    expect(readingsPerSecond([snapshot(0, 0), snapshot(1000, 100), snapshot(2000, 150), snapshot(5000, 450)])).toBe(100);
    expect(progressView([snapshot(0, 0), snapshot(1000, 50)], { elapsedS: 1, durationS: 60, devicesTotal: 20 })).toMatchObject({
      readingsPerS: 50, devicesOnline: 20, entries: 70, checkpoints: 3, anchorsFinal: 1,
    });
  });

  it('renders every figure a user watches, on separate lines for a terminal and on one line otherwise', () => {
    expect(renderLive(VIEW).join('\n')).toMatch(/12 s of 60 s[\s\S]*19 of 20 online[\s\S]*50\.0 per second[\s\S]*1,234 entries[\s\S]*6 signed, the latest covers 1,200[\s\S]*3 sent to the chain, 2 final/);
    expect(renderPlain(VIEW)).toBe('[  12 s] devices 19/20 online | 50.0 readings/s | 1,234 entries | 6 checkpoints | anchors 3 sent, 2 final');
    expect(renderPlain({ ...VIEW, quarantined: 9 })).toContain('9 quarantined');
  });

  it('on a terminal, redraws the block in place and keeps messages above it', () => {
    const out = new Capture(true);
    const display = new ProgressDisplay(out);
    expect(display.live).toBe(true);
    display.update(VIEW);
    display.update({ ...VIEW, elapsedS: 13 });
    display.message('checkpoint signed');
    const lines = renderLive(VIEW).length;
    expect(out.text.split(`\x1b[${lines}A`)).toHaveLength(3);
    expect(out.text).toContain('checkpoint signed\n');
    expect(out.text.endsWith(`${renderLive({ ...VIEW, elapsedS: 13 }).at(-1) ?? ''}\n`)).toBe(true);
  });

  it('anywhere else, prints a plain line every 5 s and no escape codes', () => {
    const out = new Capture(false);
    const display = new ProgressDisplay(out);
    for (let s = 0; s <= 11; s++) display.update({ ...VIEW, elapsedS: s });
    display.message('done');
    display.finish();
    expect(out.text).not.toContain('\x1b');
    const plain = out.text.split('\n').filter((l) => l.startsWith('['));
    // At 0, 5 and 10 s, and the last state when the block ends.
    expect(plain.map((l) => l.slice(0, 8))).toEqual(['[   0 s]', '[   5 s]', '[  10 s]', '[  11 s]']);
  });
});
