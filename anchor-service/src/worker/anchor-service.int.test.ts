import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_QUEUE_NAME, checkpointJobId, type CheckpointJobData } from '@trialgate/proof-formats';
import { startAnvil, type AnvilProcess } from '../testing/anvil-process.js';
import {
  canonicalTransactions,
  captureLogs,
  eventually,
  postedResults,
  startMiner,
  testServiceConfig,
} from '../testing/anchor-test-harness.js';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from '../testing/redis-test-prefix.js';
import { startRpcFaultProxy, type RpcFaultProxy } from '../testing/rpc-fault-proxy.js';
import { createCheckpointSigner, signCheckpoint } from '../testing/signed-checkpoint.js';
import type { AnchorServiceConfig } from '../config/resolve-anchor-config.js';
import { startAnchorService, type RunningAnchorService } from './anchor-service.js';

const siteA = createCheckpointSigner('trial.example/site-a/gw-1');
const siteB = createCheckpointSigner('trial.example/site-b/gw-1');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

async function fixture(label: string): Promise<{ anvil: AnvilProcess; prefix: string; queue: Queue<CheckpointJobData> }> {
  const anvil = await startAnvil();
  const prefix = uniqueTestPrefix(label);
  const queue = new Queue<CheckpointJobData>(CHECKPOINT_QUEUE_NAME, { connection: { url: SHARED_REDIS_URL }, prefix });
  cleanups.push(() => anvil.stop(), () => deleteKeysWithPrefix(SHARED_REDIS_URL, prefix), () => queue.close());
  return { anvil, prefix, queue };
}

async function start(config: AnchorServiceConfig, anvil: AnvilProcess, logs = captureLogs(), accountIndex = 0): Promise<RunningAnchorService> {
  const key = anvil.accounts[accountIndex]?.privateKey ?? '';
  const service = await startAnchorService(config, {
    logger: logs.logger,
    env: { TG_TEST_ANCHOR_KEY: key },
    backoff: { initialMs: 100, maxMs: 500 },
    monitorIntervalMs: 200,
  });
  cleanups.push(() => service.close());
  return service;
}

/** Adds the job as the gateway does: one job per checkpoint, its id from `checkpointJobId`. */
async function offer(queue: Queue<CheckpointJobData>, job: CheckpointJobData): Promise<string> {
  const id = checkpointJobId(job.origin, job.treeSize);
  await queue.add('checkpoint', job, { jobId: id });
  return id;
}

async function jobState(queue: Queue, id: string): Promise<string> {
  return (await queue.getJobState(id)) as string;
}

describe('startAnchorService (BullMQ, Redis, anvil)', () => {
  it('takes checkpoint jobs off the queue and posts submitted, included, final to the gateway\'s results queue', async () => {
    const { anvil, prefix, queue } = await fixture('svc');
    const miner = startMiner(anvil, 50);
    cleanups.push(() => miner.stop());
    const logs = captureLogs();
    const service = await start(testServiceConfig(anvil.url, prefix, {}, { metrics: { host: '127.0.0.1', port: 0 } }), anvil, logs);
    const checkpoint = signCheckpoint(siteA, 100);
    const id = await offer(queue, checkpoint.job);

    await eventually(async () => (await jobState(queue, id)) === 'completed', 20_000, 'job completed');
    const job = await queue.getJob(id);
    expect(job?.returnvalue).toMatchObject({ origin: siteA.origin, treeSize: 100, chains: [{ chainId: 31337, state: 'final' }] });
    const results = await postedResults(checkpoint.job.resultsQueue, prefix);
    expect(results.map((result) => result.state)).toEqual(['submitted', 'included', 'final']);
    expect(results[2]).toMatchObject({ format: 'tg-anchor-result/1', digest: checkpoint.digest, from: service.address, chainId: 31337 });

    const metricsText = await (await fetch(service.metricsUrl ?? '')).text();
    expect(metricsText).toMatch(/trialgate_anchor_results_total\{chain_id="31337",state="final"\} 1/);
    expect(metricsText).toMatch(/trialgate_anchor_balance_wei\{chain_id="31337",address="0x[0-9a-fA-F]{40}"\} \d/);
    expect(metricsText).toContain('trialgate_anchor_queue_backlog');
    expect(metricsText).toContain('trialgate_anchor_lag_seconds');
    expect(metricsText).toMatch(/trialgate_anchor_time_to_final_seconds_count\{chain_id="31337"\} 1/);
    // No key material in any log line.
    expect(logs.text()).not.toContain(anvil.accounts[0]?.privateKey.slice(2, 20));
    expect(logs.lines.some((line) => line['msg'] === 'anchor service started')).toBe(true);
  });

  it('refuses a malformed or unsigned job at once (unrecoverable) and keeps working', async () => {
    const { anvil, prefix, queue } = await fixture('svc-bad');
    const miner = startMiner(anvil, 50);
    cleanups.push(() => miner.stop());
    // Site A's gateway key is pinned: a checkpoint of site B (or one signed by any other key) is refused.
    await start(testServiceConfig(anvil.url, prefix, {}, { gatewayKeys: [siteA.verifierKey] }), anvil);
    const good = signCheckpoint(siteA, 5);
    await queue.add('checkpoint', { ...good.job, digest: signCheckpoint(siteA, 6).digest }, { jobId: 'bad-digest', attempts: 5 });
    await offer(queue, signCheckpoint(siteB, 5).job);
    const id = await offer(queue, good.job);
    await eventually(async () => (await jobState(queue, 'bad-digest')) === 'failed', 20_000, 'bad job failed');
    expect((await queue.getJob('bad-digest'))?.failedReason).toMatch(/^E_ANCHORING_DIGEST_MISMATCH/);
    expect((await queue.getJob('bad-digest'))?.attemptsMade).toBe(1);
    const unpinned = checkpointJobId(siteB.origin, 5);
    await eventually(async () => (await jobState(queue, unpinned)) === 'failed', 20_000, 'unpinned job failed');
    expect((await queue.getJob(unpinned))?.failedReason).toMatch(/^E_ANCHORING_NOTE_UNVERIFIED/);
    await eventually(async () => (await jobState(queue, id)) === 'completed', 20_000, 'good job completed');
  });

  describe('the RPC endpoint down or answering errors', () => {
    it('retries with backoff, logs each failure with its method and endpoint, counts it, and loses no job', async () => {
      const { anvil, prefix, queue } = await fixture('svc-rpc');
      const proxy: RpcFaultProxy = await startRpcFaultProxy(anvil.url);
      cleanups.push(() => proxy.close());
      const miner = startMiner(anvil, 50);
      cleanups.push(() => miner.stop());
      const logs = captureLogs();
      const service = await start(testServiceConfig(proxy.url, prefix), anvil, logs);

      await proxy.setFault({ kind: 'http-status', status: 503 });
      const first = signCheckpoint(siteA, 10);
      const firstId = await offer(queue, first.job);
      await eventually(() => proxy.faultsServed() >= 3, 30_000, 'three 503s served');
      await proxy.setFault({ kind: 'down' });
      const second = signCheckpoint(siteB, 20);
      const secondId = await offer(queue, second.job);
      await new Promise((resolve) => setTimeout(resolve, 800));
      await proxy.setFault({ kind: 'rpc-error', code: -32005, message: 'limit exceeded' });
      await eventually(() => proxy.faultsServed() >= 6, 30_000, 'JSON-RPC errors served');
      expect(await jobState(queue, firstId)).toBe('active');
      expect(['active', 'waiting']).toContain(await jobState(queue, secondId));

      await proxy.setFault({ kind: 'none' });
      await eventually(async () => (await jobState(queue, firstId)) === 'completed' && (await jobState(queue, secondId)) === 'completed', 30_000, 'both jobs completed');

      const rpcLines = logs.lines.filter((line) => line['msg'] === 'RPC call failed; retrying with backoff');
      expect(rpcLines.length).toBeGreaterThan(2);
      expect(rpcLines[0]).toMatchObject({ level: 40, chainId: 31337, endpoint: proxy.url, err: { code: 'E_ANCHORING_RPC' } });
      expect(typeof rpcLines[0]?.['method']).toBe('string');
      expect(rpcLines.some((line) => String((line['err'] as { message: string }).message).includes('limit exceeded'))).toBe(true);
      const metricsText = await service.registry.metrics();
      const errors = [...metricsText.matchAll(/trialgate_anchor_rpc_errors_total\{[^}]*\} (\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
      expect(errors).toBeGreaterThan(2);
      // After five failures in a row the gateway is told, and the anchor still goes through.
      const results = await postedResults(first.job.resultsQueue, prefix);
      expect(results.map((result) => result.state)).toEqual(['failed', 'submitted', 'included', 'final']);
      expect(results[0]?.error?.code).toBe('E_ANCHORING_RPC');
      expect(logs.text()).not.toContain(anvil.accounts[0]?.privateKey.slice(2, 20));
    });

    it('waits for an endpoint that is down at start-up', async () => {
      const { anvil, prefix } = await fixture('svc-rpc-start');
      const proxy = await startRpcFaultProxy(anvil.url);
      cleanups.push(() => proxy.close());
      await proxy.setFault({ kind: 'down' });
      const logs = captureLogs();
      const starting = start(testServiceConfig(proxy.url, prefix), anvil, logs);
      await eventually(() => logs.lines.some((line) => line['msg'] === 'RPC endpoint not answering at start-up; retrying'), 30_000, 'start-up retry');
      await proxy.setFault({ kind: 'none' });
      const service = await starting;
      expect(service.chains).toEqual([{ chainId: 31337, endpoint: proxy.url, finality: { kind: 'confirmations', confirmations: 2 } }]);
    });

    it('refuses to start against an endpoint of another chain', async () => {
      const { anvil, prefix } = await fixture('svc-chain');
      await expect(start(testServiceConfig(anvil.url, prefix, { chainId: 1 }), anvil)).rejects.toMatchObject({ code: 'E_ANCHORING_CHAIN_MISMATCH' });
    });
  });

  it('insufficient funds: a typed error and a metric, no crash loop, the backlog kept, and it resumes once funded', async () => {
    const { anvil, prefix, queue } = await fixture('svc-funds');
    const miner = startMiner(anvil, 50);
    cleanups.push(() => miner.stop());
    const address = anvil.accounts[1]?.address ?? '';
    await anvil.request('anvil_setBalance', [address, '0x0']);
    const logs = captureLogs();
    const service = await start(testServiceConfig(anvil.url, prefix), anvil, logs, 1);
    const first = signCheckpoint(siteA, 30);
    const second = signCheckpoint(siteB, 31);
    const ids = [await offer(queue, first.job), await offer(queue, second.job)];

    await eventually(async () => (await postedResults(first.job.resultsQueue, prefix)).length > 0, 30_000, 'failed result');
    const [failed] = await postedResults(first.job.resultsQueue, prefix);
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'E_ANCHORING_INSUFFICIENT_FUNDS' } });
    expect(failed?.error?.message).toContain(address);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Still retrying, slowly, without posting the same failure again; both jobs kept.
    expect((await postedResults(first.job.resultsQueue, prefix)).filter((result) => result.state === 'failed')).toHaveLength(1);
    for (const id of ids) expect(await jobState(queue, id)).toBe('active');
    const metricsText = await service.registry.metrics();
    expect(metricsText).toMatch(/trialgate_anchor_failures_total\{chain_id="31337",code="E_ANCHORING_INSUFFICIENT_FUNDS"\} [1-9]/);
    expect(metricsText).toMatch(new RegExp(`trialgate_anchor_balance_wei\\{chain_id="31337",address="${address}"\\} 0`));
    const warnings = logs.lines.filter((line) => (line['err'] as { code?: string } | undefined)?.code === 'E_ANCHORING_INSUFFICIENT_FUNDS');
    expect(warnings.length).toBeGreaterThan(1);
    expect(warnings.length).toBeLessThan(40);

    await anvil.request('anvil_setBalance', [address, '0x8ac7230489e80000']); // 10 ETH
    await eventually(async () => (await Promise.all(ids.map((id) => jobState(queue, id)))).every((state) => state === 'completed'), 30_000, 'both anchored');
    expect((await postedResults(first.job.resultsQueue, prefix)).map((result) => result.state)).toEqual(['failed', 'submitted', 'included', 'final']);
  });

  it('hands active checkpoints back to the queue when stopped; the next worker resumes the same transaction', async () => {
    const { anvil, prefix, queue } = await fixture('svc-stop');
    await anvil.request('evm_setAutomine', [false]);
    const first = await start(testServiceConfig(anvil.url, prefix), anvil);
    const checkpoint = signCheckpoint(siteA, 77);
    const id = await offer(queue, checkpoint.job);
    const submitted = await eventually(
      async () => (await postedResults(checkpoint.job.resultsQueue, prefix)).find((result) => result.state === 'submitted'),
      10_000,
      'submitted',
    );
    await first.close();
    expect(['delayed', 'waiting']).toContain(await jobState(queue, id));

    const miner = startMiner(anvil, 50);
    cleanups.push(() => miner.stop());
    await start(testServiceConfig(anvil.url, prefix), anvil);
    await eventually(async () => (await jobState(queue, id)) === 'completed', 20_000, 'completed by the second worker');
    const final = (await postedResults(checkpoint.job.resultsQueue, prefix)).at(-1);
    expect(final).toMatchObject({ state: 'final', txHash: submitted.txHash });
    expect((await canonicalTransactions(anvil)).filter((tx) => tx.input === checkpoint.digest)).toHaveLength(1);
  });
});
