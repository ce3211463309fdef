/**
 * A bounded fault soak: two workers on one queue anchor checkpoints of three origins while the RPC endpoint
 * flaps (503s, refused connections, JSON-RPC errors) and the chain reorganises shallow blocks (depth below
 * the confirmations rule). Afterwards: every job completed, the newest checkpoint of each origin is final,
 * every final anchor is on the canonical chain with its digest as input, no digest is anchored twice and no
 * nonce is used twice. About 40 s; stops by itself.
 */
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_QUEUE_NAME, checkpointJobId, type CheckpointJobData } from '@trialgate/proof-formats';
import { startAnvil } from '../testing/anvil-process.js';
import { canonicalTransactions, captureLogs, eventually, testServiceConfig } from '../testing/anchor-test-harness.js';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from '../testing/redis-test-prefix.js';
import { startRpcFaultProxy, type RpcFault } from '../testing/rpc-fault-proxy.js';
import { createCheckpointSigner, signCheckpoint } from '../testing/signed-checkpoint.js';
import type { AnchorJobResult } from './anchor-job-processor.js';
import { startAnchorService } from './anchor-service.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed with its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('anchoring under RPC faults and reorgs (soak)', () => {
  it('keeps every invariant', async () => {
    const seed = Number(process.env['TG_CHAOS_SEED'] ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const anvil = await startAnvil();
    const prefix = uniqueTestPrefix('chaos');
    const queue = new Queue<CheckpointJobData>(CHECKPOINT_QUEUE_NAME, { connection: { url: SHARED_REDIS_URL }, prefix });
    const proxy = await startRpcFaultProxy(anvil.url);
    cleanups.push(() => anvil.stop(), () => deleteKeysWithPrefix(SHARED_REDIS_URL, prefix), () => queue.close(), () => proxy.close());

    const key = anvil.accounts[0]?.privateKey ?? '';
    const confirmations = 4;
    for (let index = 0; index < 2; index += 1) {
      const service = await startAnchorService(testServiceConfig(proxy.url, prefix, { finality: { kind: 'confirmations', confirmations }, minIntervalMs: 200 }), {
        logger: captureLogs('error').logger,
        env: { TG_TEST_ANCHOR_KEY: key },
        backoff: { initialMs: 50, maxMs: 400 },
      });
      cleanups.push(() => service.close());
    }

    // The chaos: RPC faults every 300 ms, a block every ~100 ms, a shallow reorg now and then.
    let running = true;
    let reorgs = 0;
    const faults: RpcFault[] = [
      { kind: 'none' },
      { kind: 'none' },
      { kind: 'none' },
      { kind: 'http-status', status: 503 },
      { kind: 'down' },
      { kind: 'rpc-error', code: -32005, message: 'limit exceeded' },
      { kind: 'refuse-methods', methods: ['eth_sendRawTransaction'], message: 'txpool is full' },
    ];
    const faultLoop = (async () => {
      while (running) {
        await proxy.setFault(faults[Math.floor(random() * faults.length)] ?? { kind: 'none' });
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await proxy.setFault({ kind: 'none' });
    })();
    const chainLoop = (async () => {
      while (running) {
        if (random() < 0.08) {
          await anvil.request('anvil_reorg', [1 + Math.floor(random() * (confirmations - 2)), []]).catch(() => undefined);
          reorgs += 1;
        } else {
          await anvil.request('evm_mine').catch(() => undefined);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const origins = [1, 2, 3].map((n) => createCheckpointSigner(`trial.example/site-chaos-${n}/gw-1`));
    const ids: string[] = [];
    const sizes = Array.from({ length: 12 }, (_, index) => (index + 1) * 10);
    for (const size of sizes) {
      for (const origin of origins) {
        const id = checkpointJobId(origin.origin, size);
        ids.push(id);
        await queue.add('checkpoint', signCheckpoint(origin, size).job, { jobId: id });
      }
      await new Promise((resolve) => setTimeout(resolve, 150 + random() * 300));
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
    running = false;
    await Promise.all([faultLoop, chainLoop]);
    // Calm: mine until everything is final.
    const calmMiner = (async () => {
      for (let i = 0; i < 600; i += 1) {
        if ((await Promise.all(ids.map((id) => queue.getJobState(id)))).every((state) => state === 'completed')) return;
        await anvil.request('evm_mine');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await eventually(async () => (await Promise.all(ids.map((id) => queue.getJobState(id)))).every((state) => state === 'completed'), 90_000, `every job completed (seed ${seed})`);
    await calmMiner;

    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.from.toLowerCase() === anvil.accounts[0]?.address.toLowerCase());
    expect(new Set(anchors.map((tx) => tx.nonce)).size, `seed ${seed}`).toBe(anchors.length);
    expect(new Set(anchors.map((tx) => tx.input)).size, `seed ${seed}`).toBe(anchors.length);
    for (const origin of origins) {
      const newest = (await queue.getJob(checkpointJobId(origin.origin, 120)))?.returnvalue as AnchorJobResult | undefined;
      expect(newest?.chains[0]?.state, `seed ${seed}`).toBe('final');
      for (const size of sizes) {
        const outcome = ((await queue.getJob(checkpointJobId(origin.origin, size)))?.returnvalue as AnchorJobResult | undefined)?.chains[0];
        const onChain = anchors.filter((tx) => tx.input === signCheckpoint(origin, size).digest);
        if (outcome?.state === 'final') {
          expect(onChain.map((tx) => tx.hash), `seed ${seed}`).toEqual([outcome.txHash]);
          expect(onChain[0]?.blockNumber).toBe(outcome.blockNumber);
        } else {
          expect(outcome?.state, `seed ${seed}`).toBe('superseded');
          expect(onChain, `seed ${seed}`).toHaveLength(0);
        }
      }
    }
    expect(proxy.faultsServed()).toBeGreaterThan(0);
    expect(reorgs).toBeGreaterThan(0);
  });
});
