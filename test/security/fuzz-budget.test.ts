import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FUZZ_SECONDS, fuzzFor, fuzzSeconds } from './fuzz-budget.js';

describe('fuzz budget', () => {
  it('reads TG_FUZZ_SECONDS, defaulting to a few seconds, and refuses nonsense', () => {
    expect(fuzzSeconds({})).toBe(DEFAULT_FUZZ_SECONDS);
    expect(fuzzSeconds({ TG_FUZZ_SECONDS: '' })).toBe(DEFAULT_FUZZ_SECONDS);
    expect(fuzzSeconds({ TG_FUZZ_SECONDS: '600' })).toBe(600);
    expect(fuzzSeconds({ TG_FUZZ_SECONDS: '0.5' })).toBe(0.5);
    expect(() => fuzzSeconds({ TG_FUZZ_SECONDS: '0' })).toThrow(/positive/);
    expect(() => fuzzSeconds({ TG_FUZZ_SECONDS: 'ten' })).toThrow(/positive/);
  });

  it('runs until the time is up, waits for the run the time limit cut off, and reports a failure', async () => {
    let finished = 0;
    const started = await fuzzFor(
      fc.nat(),
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        finished += 1;
      },
      { minRuns: 3, seconds: 0.2 },
    );
    expect(finished).toBe(started);
    await expect(fuzzFor(fc.nat(), async (n) => expect(n).toBeLessThan(0), { minRuns: 1, seconds: 0.2 })).rejects.toThrow(/failed/i);
    await expect(fuzzFor(fc.nat(), () => new Promise((resolve) => setTimeout(resolve, 300)), { minRuns: 5, seconds: 0.1 })).rejects.toThrow(/only/);
  });
});
