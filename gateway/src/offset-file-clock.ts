/**
 * For reliability tests only (issue 7, "Clock"; docs/RELIABILITY.md): the system clock plus an offset read
 * from a file, so that a test can make a spawned gateway's clock jump back and forward the way a box's clock
 * does when NTP steps it or its RTC battery fails.
 *
 * `TRIALGATE_TEST_CLOCK_OFFSET_FILE=/path` selects it (gateway.ts; the gateway then says so in a warn line
 * at start). The file holds one integer, milliseconds added to the system clock (negative: behind); it is
 * read at start and re-read every 50 ms, so a jump takes effect within that. A missing or unreadable file, or
 * text that is not an integer, leaves the last offset in place. Never set it on a real site: every receipt
 * time and checkpoint time would carry the offset.
 */
import { readFileSync } from 'node:fs';
import { systemClock, type Clock } from './clock.js';

export const TEST_CLOCK_OFFSET_FILE_ENV = 'TRIALGATE_TEST_CLOCK_OFFSET_FILE';

const POLL_MS = 50;

export interface OffsetFileClock extends Clock {
  /** The offset in force, ms. */
  readonly offsetMs: number;
  /** Stops re-reading the file. */
  close(): void;
}

export function offsetFileClock(file: string, base: Clock = systemClock): OffsetFileClock {
  let offset = 0;
  const read = (): void => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      return;
    }
    if (/^-?\d{1,15}$/.test(text)) offset = Number(text);
  };
  read();
  const timer = setInterval(read, POLL_MS);
  timer.unref();
  return {
    now: () => base.now() + offset,
    get offsetMs() {
      return offset;
    },
    close: () => clearInterval(timer),
  };
}
