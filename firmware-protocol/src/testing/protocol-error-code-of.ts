import { isProtocolError, type ProtocolErrorCode } from '../errors/protocol-error.js';

/**
 * Test support: the ProtocolError code that `fn` throws, or `none` when it returns. Anything else thrown is
 * rethrown, so a decoder that escapes with another error fails the test instead of passing as a code.
 */
export function protocolErrorCodeOf(fn: () => unknown): ProtocolErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (error) {
    if (isProtocolError(error)) return error.code;
    throw error;
  }
}
