import { isTrialgateError } from '@trialgate/firmware-protocol';

/**
 * Test support: the code of the typed error that `action` throws, or undefined when it returns. Anything else
 * thrown is rethrown, so an untyped escape fails the test instead of passing as a code.
 */
export function errorCodeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (!isTrialgateError(error)) throw error;
    return error.code;
  }
}
