import { describe, expect, it } from 'vitest';
import { TrialgateError, isTrialgateError } from './trialgate-error.js';

describe('TrialgateError', () => {
  it('carries a stable code, details and cause, and serialises to plain data', () => {
    const cause = new Error('low level');
    const error = new TrialgateError('E_EXAMPLE', 'something a person understands', {
      details: { offset: 3 },
      cause,
    });
    expect(isTrialgateError(error)).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({ code: 'E_EXAMPLE', message: 'something a person understands', details: { offset: 3 } });
  });
});
