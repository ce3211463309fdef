import { describe, expect, it } from 'vitest';
import { backoffDelayMs, timerSleep } from './backoff.js';

describe('backoffDelayMs', () => {
  const settings = { initialMs: 1000, maxMs: 60_000 };

  it('doubles per failure up to the cap, between half and all of the ceiling', () => {
    expect(backoffDelayMs(settings, 1, () => 0)).toBe(500);
    expect(backoffDelayMs(settings, 1, () => 1)).toBe(1000);
    expect(backoffDelayMs(settings, 3, () => 1)).toBe(4000);
    expect(backoffDelayMs(settings, 50, () => 1)).toBe(60_000);
    expect(backoffDelayMs(settings, 50, () => 0)).toBe(30_000);
  });

  it('sleeps can be cut short by an abort', async () => {
    const controller = new AbortController();
    const slept = timerSleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).rejects.toMatchObject({ name: 'AbortError' });
  });
});
