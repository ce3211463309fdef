/**
 * A message-check worker thread (worker-check-pool.ts): payload schema, `dev` = kid and Ed25519 signature for
 * a batch of messages at a time. Keeps its own verifier cache, so each key's KeyObject is built once per
 * worker. Runs at a lower priority than the main thread (thread-priority.ts).
 */
import { parentPort } from 'node:worker_threads';
import { decodeCheckBatch, encodeCheckReply } from './check-batch-codec.js';
import { checkMessage } from './message-check.js';
import { lowerCurrentThreadPriority } from './thread-priority.js';
import { VerifierCache } from './verifier-cache.js';

export interface CheckBatchMessage {
  readonly id: number;
  readonly buffer: ArrayBuffer;
}

if (parentPort !== null) {
  const port = parentPort;
  // The main thread (broker, log, PUBACKs) goes first when both want a core (thread-priority.ts).
  lowerCurrentThreadPriority();
  const verifiers = new VerifierCache();
  port.on('message', (message: CheckBatchMessage) => {
    const results = decodeCheckBatch(message.buffer).map((request) => checkMessage(request, verifiers));
    const reply = encodeCheckReply(message.id, results);
    port.postMessage(reply, [reply.numbers.buffer as ArrayBuffer]);
  });
}
