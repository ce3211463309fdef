import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { offsetFileClock } from './offset-file-clock.js';

describe('offsetFileClock (tests only)', () => {
  it('adds the offset the file holds, follows changes, and keeps the last good one', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tg-clock-')), 'offset');
    writeFileSync(file, '-3600000\n');
    const clock = offsetFileClock(file, { now: () => 10_000_000 });
    try {
      expect(clock.now()).toBe(6_400_000);
      writeFileSync(file, '120000');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(clock.now()).toBe(10_120_000);
      writeFileSync(file, 'soon');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(clock.offsetMs).toBe(120_000);
    } finally {
      clock.close();
    }
  });
});
