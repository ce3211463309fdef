/**
 * The port through which ingestion and the broker check messages and connect tokens: on worker threads in the
 * gateway (worker-check-pool.ts), on the calling thread in tests and with `--verify-workers 0`
 * (inline-message-checker.ts).
 */
import type { MessageCheckRequest, MessageCheckResult } from './message-check.js';

export interface MessageChecker {
  /** Resolves with the decision; rejects only when the check could not run (a worker died). */
  check(request: MessageCheckRequest): Promise<MessageCheckResult>;
  close(): Promise<void>;
}
