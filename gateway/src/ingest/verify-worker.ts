/**
 * A signature-verification worker thread (worker-verify-pool.ts). It keeps its own verifier cache, so each
 * key's KeyObject is built once per worker.
 */
import { parentPort } from 'node:worker_threads';
import { decodeVerifyBatch } from './verify-batch-codec.js';
import { VerifierCache } from './verifier-cache.js';

export interface VerifyBatchMessage {
  readonly id: number;
  readonly buffer: ArrayBuffer;
}

export interface VerifyBatchReply {
  readonly id: number;
  readonly results: Uint8Array;
}

if (parentPort !== null) {
  const port = parentPort;
  const cache = new VerifierCache();
  port.on('message', (message: VerifyBatchMessage) => {
    const requests = decodeVerifyBatch(message.buffer);
    const results = new Uint8Array(requests.length);
    requests.forEach((request, i) => {
      results[i] = cache.verify(request.publicKey, request.message, request.signature) ? 1 : 0;
    });
    const reply: VerifyBatchReply = { id: message.id, results };
    port.postMessage(reply, [results.buffer]);
  });
}
