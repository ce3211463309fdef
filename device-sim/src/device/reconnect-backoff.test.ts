import { describe, expect, it } from 'vitest';
import { createRandom } from '../random/random.js';
import { backoffDelayMs } from './reconnect-backoff.js';

describe('backoffDelayMs', () => {
  const policy = { initialMs: 100, maxMs: 5_000 };

  it('doubles the ceiling per attempt, with jitter between half and all of it, up to the cap', () => {
    const random = createRandom(1);
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(5_000, 100 * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelayMs(attempt, policy, random);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('spreads devices that retry at the same attempt', () => {
    const random = createRandom(2);
    const delays = new Set(Array.from({ length: 100 }, () => backoffDelayMs(5, policy, random)));
    expect(delays.size).toBeGreaterThan(80);
  });
});
