/** Checks on the calling thread: `--verify-workers 0`, and unit tests. */
import { checkMessage } from './message-check.js';
import type { MessageChecker } from './message-checker.js';
import { VerifierCache } from './verifier-cache.js';

export function createInlineMessageChecker(): MessageChecker {
  const verifiers = new VerifierCache();
  return {
    check: (request) => Promise.resolve(checkMessage(request, verifiers)),
    close: () => Promise.resolve(),
  };
}
