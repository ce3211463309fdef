import { describe, expect, it } from 'vitest';
import { AUTO_THREADS_MIN_BYTES, parseThreadsFlag, signatureThreads } from './verify-threads.js';

describe('trialgate verify --threads', () => {
  it('parses 0 to 64 and refuses anything else', () => {
    expect(['0', '1', '2', '16', '64'].map(parseThreadsFlag)).toEqual([0, 1, 2, 16, 64]);
    for (const bad of ['', '-1', '65', '01', '1.5', 'two', ' 2', '1e1']) expect(parseThreadsFlag(bad), bad).toBeUndefined();
  });

  it('by default uses one worker per core from 1 MiB of bundle on, none below', () => {
    expect(signatureThreads(undefined, AUTO_THREADS_MIN_BYTES - 1, 8)).toBe(0);
    expect(signatureThreads(undefined, AUTO_THREADS_MIN_BYTES, 8)).toBe(8);
    expect(signatureThreads(undefined, 10 * AUTO_THREADS_MIN_BYTES, 0)).toBe(1);
    expect(signatureThreads(0, 10 * AUTO_THREADS_MIN_BYTES, 8)).toBe(0);
    expect(signatureThreads(3, 10, 8)).toBe(3);
  });
});
