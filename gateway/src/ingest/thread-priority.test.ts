import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const linux = fs.existsSync('/proc/thread-self');
/** Worker threads run the built code (like the check workers themselves). */
const BUILT = new URL('../../dist/ingest/thread-priority.js', import.meta.url).href;

function niceOf(tid: number): number {
  return Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
}

describe('lowerCurrentThreadPriority', () => {
  it.skipIf(!linux)('lowers the calling worker thread, and nothing else', async () => {
    // The worker waits for a word from here before it ends: a thread that has exited has no /proc entry to read.
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.once('message', () => parentPort.close());
       import(${JSON.stringify(BUILT)}).then((m) => parentPort.postMessage(m.lowerCurrentThreadPriority()));`,
      { eval: true },
    );
    const tid = await new Promise<number | null>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(tid).not.toBeNull();
    expect(niceOf(tid ?? 0)).toBe(5);
    expect(niceOf(process.pid)).toBe(0);
    worker.postMessage('done');
    await worker.terminate();
  });
});
