import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkpointJobId, type CheckpointJobData } from '@trialgate/proof-formats';
import type { LogStore } from '../storage/log-store.js';
import { AnchorOutbox } from './anchor-outbox.js';
import { cleanUpStores, storeWithCheckpoints } from './testing/store-with-checkpoints.js';
import type { CheckpointQueue } from './checkpoint-queue.js';

const ORIGIN = 'trial.example/site-3/gw';

function memoryQueue(): CheckpointQueue & { jobs: Map<string, CheckpointJobData>; down: boolean; attempts: number } {
  const jobs = new Map<string, CheckpointJobData>();
  const queue = {
    jobs,
    down: false,
    attempts: 0,
    add: (jobId: string, data: CheckpointJobData) => {
      queue.attempts += 1;
      if (queue.down) return Promise.reject(new Error('Connection is closed.'));
      jobs.set(jobId, data);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  return queue;
}

const outboxes: AnchorOutbox[] = [];
afterEach(async () => {
  for (const outbox of outboxes.splice(0)) await outbox.stop();
  await cleanUpStores();
});

function outboxFor(store: LogStore, queue: CheckpointQueue, clock: { now: () => number }): AnchorOutbox {
  const outbox = new AnchorOutbox({
    db: store.db,
    origin: ORIGIN,
    queue,
    clock,
    initialBackoffMs: 20,
    maxBackoffMs: 40,
    random: () => 0.5,
  });
  outboxes.push(outbox);
  return outbox;
}

describe('AnchorOutbox', () => {
  it('hands every checkpoint over in size order, as idempotent jobs carrying the note and digest', async () => {
    const store = await storeWithCheckpoints([1, 3]);
    const queue = memoryQueue();
    const outbox = outboxFor(store, queue, { now: () => Date.now() });
    outbox.start();
    await vi.waitFor(() => expect(outbox.backlog()).toBe(0));
    expect([...queue.jobs.keys()]).toEqual([checkpointJobId(ORIGIN, 1), checkpointJobId(ORIGIN, 3)]);
    const job = queue.jobs.get(checkpointJobId(ORIGIN, 3));
    expect(job).toMatchObject({ format: 'tg-checkpoint-job/1', origin: ORIGIN, treeSize: 3 });
    expect(job?.note).toBe(store.checkpoints.get(3)?.note);
    expect(job?.digest).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('keeps the backlog while the queue is down, retries with backoff, and hands it all over when it returns', async () => {
    const store = await storeWithCheckpoints([1, 2, 4]);
    const queue = memoryQueue();
    queue.down = true;
    const outbox = outboxFor(store, queue, { now: () => Date.now() });
    outbox.start();
    await vi.waitFor(() => expect(queue.attempts).toBeGreaterThanOrEqual(3));
    expect(outbox.backlog()).toBe(3);
    expect(queue.jobs.size).toBe(0);
    queue.down = false;
    await vi.waitFor(() => expect(outbox.backlog()).toBe(0), { timeout: 2000 });
    expect([...queue.jobs.values()].map((j) => j.treeSize)).toEqual([1, 2, 4]);
  });
});
