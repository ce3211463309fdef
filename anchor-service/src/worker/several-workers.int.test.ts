/**
 * Several workers on one queue, one key: no checkpoint is anchored twice on the chain, no nonce is used
 * twice, the newest checkpoint of each origin is final and every other one is final or superseded by a newer.
 */
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_QUEUE_NAME, checkpointJobId, type CheckpointJobData } from '@trialgate/proof-formats';
import { startAnvil } from '../testing/anvil-process.js';
import { canonicalTransactions, captureLogs, eventually, postedResults, startMiner, testServiceConfig } from '../testing/anchor-test-harness.js';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from '../testing/redis-test-prefix.js';
import { createCheckpointSigner, signCheckpoint } from '../testing/signed-checkpoint.js';
import type { AnchorJobResult } from './anchor-job-processor.js';
import { startAnchorService } from './anchor-service.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

describe('several workers on one queue', () => {
  it.each([
    ['a 300 ms minimum interval', 300],
    ['no minimum interval (every claim races for the nonce)', 0],
  ])('never anchor a checkpoint twice nor reuse a nonce; each origin\'s newest ends final (%s)', async (_name, minIntervalMs) => {
    const anvil = await startAnvil();
    const prefix = uniqueTestPrefix('multi');
    const queue = new Queue<CheckpointJobData>(CHECKPOINT_QUEUE_NAME, { connection: { url: SHARED_REDIS_URL }, prefix });
    cleanups.push(() => anvil.stop(), () => deleteKeysWithPrefix(SHARED_REDIS_URL, prefix), () => queue.close());
    const miner = startMiner(anvil, 30);
    cleanups.push(() => miner.stop());
    const key = anvil.accounts[0]?.privateKey ?? '';
    for (let index = 0; index < 3; index += 1) {
      const service = await startAnchorService(testServiceConfig(anvil.url, prefix, { minIntervalMs }, { concurrency: 8 }), {
        logger: captureLogs('warn').logger,
        env: { TG_TEST_ANCHOR_KEY: key },
        backoff: { initialMs: 50, maxMs: 200 },
      });
      cleanups.push(() => service.close());
    }

    const origins = [createCheckpointSigner('trial.example/site-m1/gw-1'), createCheckpointSigner('trial.example/site-m2/gw-1')];
    const sizes = [10, 20, 30, 40, 50, 60, 70, 80];
    const jobs: { id: string; job: CheckpointJobData }[] = [];
    for (const size of sizes) {
      for (const origin of origins) {
        const { job } = signCheckpoint(origin, size);
        const id = checkpointJobId(origin.origin, size);
        jobs.push({ id, job });
        await queue.add('checkpoint', job, { jobId: id });
      }
      await new Promise((resolve) => setTimeout(resolve, 40));
    }

    await eventually(
      async () => (await Promise.all(jobs.map(({ id }) => queue.getJobState(id)))).every((state) => state === 'completed'),
      60_000,
      'every job completed',
    );
    const outcomes = new Map<string, AnchorJobResult>();
    for (const { id } of jobs) outcomes.set(id, (await queue.getJob(id))?.returnvalue as AnchorJobResult);

    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.from.toLowerCase() === anvil.accounts[0]?.address.toLowerCase());
    // No nonce twice, no digest twice.
    expect(new Set(anchors.map((tx) => tx.nonce)).size).toBe(anchors.length);
    expect(new Set(anchors.map((tx) => tx.input)).size).toBe(anchors.length);
    // O(1) per interval: with an interval, far fewer anchors than checkpoints.
    if (minIntervalMs > 0) expect(anchors.length).toBeLessThan(jobs.length / 2);

    for (const origin of origins) {
      const newest = outcomes.get(checkpointJobId(origin.origin, 80));
      expect(newest?.chains[0]?.state).toBe('final');
      for (const size of sizes) {
        const outcome = outcomes.get(checkpointJobId(origin.origin, size))?.chains[0];
        const { digest } = signCheckpoint(origin, size);
        const onChain = anchors.filter((tx) => tx.input === digest);
        if (outcome?.state === 'final') {
          expect(onChain).toHaveLength(1);
          expect(onChain[0]?.hash).toBe(outcome.txHash);
        } else {
          expect(outcome?.state).toBe('superseded');
          expect(outcome?.state === 'superseded' ? outcome.supersededBy : 0).toBeGreaterThan(size);
          expect(onChain).toHaveLength(0);
        }
      }
      // The gateway saw each final anchor's three states exactly once.
      const results = await postedResults(jobs.find(({ job }) => job.origin === origin.origin)?.job.resultsQueue ?? '', prefix);
      const finals = results.filter((result) => result.state === 'final');
      expect(new Set(finals.map((result) => result.treeSize)).size).toBe(finals.length);
    }
  });
});
