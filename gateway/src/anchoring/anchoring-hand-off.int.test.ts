/**
 * The anchoring hand-off against real Redis: the machine's (isolated by a unique BullMQ prefix, cleaned up
 * after) for the queue contract, and a private redis-server on a free port, stopped and restarted, for an
 * outage: ingestion and checkpointing go on, the backlog waits in the outbox and is handed over when Redis
 * returns.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import {
  ANCHOR_RESULT_FORMAT,
  CHECKPOINT_QUEUE_NAME,
  anchorResultsQueueName,
  checkpointDigestHex,
  checkpointJobId,
  deleteKeysUnderPrefix,
  signCheckpoint,
} from '@trialgate/proof-formats';
import { loadOrCreateGatewayKey } from '../keys/gateway-key.js';
import { silentLogger } from '../observability/logger.js';
import { sampleEntry } from '../storage/gateway-log-contract.js';
import type { LogStore } from '../storage/log-store.js';
import { startAnchoringHandOff, type AnchoringHandOff } from './anchoring-hand-off.js';
import { cleanUpStores, storeWithCheckpoints } from './testing/store-with-checkpoints.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanUpStores();
});

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await deleteKeysUnderPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

function handOff(store: LogStore, origin: string, redisUrl: string, prefix: string): AnchoringHandOff {
  const started = startAnchoringHandOff({
    db: store.db,
    origin,
    redisUrl,
    queuePrefix: prefix,
    clock: { now: () => Date.now() },
    logger: silentLogger(),
    treeSize: () => store.log.size(),
    outboxBackoff: { initialMs: 100, maxMs: 400 },
  });
  cleanups.push(() => started.stop());
  return started;
}

async function addCheckpoint(store: LogStore, origin: string, entries: number): Promise<number> {
  for (let i = 0; i < entries; i++) await store.log.append(sampleEntry());
  const size = store.log.size();
  const key = loadOrCreateGatewayKey({ dataDir: store.layout.root, origin });
  const rootHash = store.tree.root(size);
  const note = signCheckpoint({ origin, treeSize: size, rootHash }, [key.signer]);
  await store.checkpoints.append({ treeSize: size, rootHash, note, signedAtMs: Date.now() }, Date.now());
  return size;
}

describe('anchoring hand-off (machine Redis, unique prefix)', () => {
  const url = 'redis://127.0.0.1:6379';

  it('hands checkpoints to the BullMQ queue as idempotent jobs and stores the results that come back', async () => {
    const prefix = `tg-test-${randomBytes(6).toString('hex')}`;
    cleanups.push(() => deleteKeys(url, prefix));
    const origin = `trial.example/${prefix}/gw`;
    const store = await storeWithCheckpoints([2, 5], origin);
    const anchoring = handOff(store, origin, url, prefix);
    await vi.waitFor(() => expect(anchoring.outbox?.backlog()).toBe(0), { timeout: 10_000 });

    const connection = new Redis(url, { maxRetriesPerRequest: null });
    cleanups.push(() => connection.disconnect());
    const checkpoints = new Queue(CHECKPOINT_QUEUE_NAME, { connection, prefix });
    cleanups.push(() => checkpoints.close());
    const job = await checkpoints.getJob(checkpointJobId(origin, 5));
    expect(job?.data).toMatchObject({
      format: 'tg-checkpoint-job/1',
      origin,
      treeSize: 5,
      note: store.checkpoints.get(5)?.note,
      digest: checkpointDigestHex(store.checkpoints.get(5)?.note ?? ''),
      resultsQueue: anchorResultsQueueName(origin),
    });
    expect(await checkpoints.getJob(checkpointJobId(origin, 2))).toBeDefined();

    const results = new Queue(anchorResultsQueueName(origin), { connection, prefix });
    cleanups.push(() => results.close());
    const base = {
      format: ANCHOR_RESULT_FORMAT,
      origin,
      treeSize: 5,
      digest: checkpointDigestHex(store.checkpoints.get(5)?.note ?? ''),
      chainId: 31337,
      txHash: `0x${'12'.repeat(32)}`,
      from: `0x${'34'.repeat(20)}`,
    };
    await results.add('anchor-result', { ...base, state: 'submitted', observedAtMs: 1 });
    await results.add('anchor-result', { ...base, state: 'final', blockNumber: 9, observedAtMs: 2 });
    await results.add('anchor-result', { ...base, digest: `0x${'00'.repeat(32)}`, state: 'final', blockNumber: 9, observedAtMs: 3 });
    await vi.waitFor(() => expect(anchoring.anchors.forCheckpoint(5)).toMatchObject([{ state: 'final', blockNumber: 9 }]), {
      timeout: 10_000,
    });
    // The forged result fails its job and changes nothing.
    await vi.waitFor(async () => expect(await results.getFailedCount()).toBe(1), { timeout: 10_000 });
    expect(anchoring.anchors.forCheckpoint(5)).toMatchObject([{ state: 'final', observedAtMs: 2 }]);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  await vi.waitFor(async () => expect(await probe.ping()).toBe('PONG'), { timeout: 10_000, interval: 100 });
  probe.disconnect();
  return proc;
}

async function stopRedis(proc: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGKILL');
  await exited;
}

describe('anchoring hand-off through a Redis outage (private redis-server)', () => {
  it('keeps ingesting and checkpointing while Redis is down, and hands the backlog over when it returns', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startRedis(port);
    cleanups.push(() => stopRedis(redis));
    const origin = 'trial.example/outage/gw';
    const prefix = 'tg-outage';
    const store = await storeWithCheckpoints([3], origin);
    const anchoring = handOff(store, origin, url, prefix);
    await vi.waitFor(() => expect(anchoring.outbox?.backlog()).toBe(0), { timeout: 10_000 });

    await stopRedis(redis);
    const sizes: number[] = [];
    for (let round = 0; round < 3; round++) {
      sizes.push(await addCheckpoint(store, origin, 4));
      anchoring.checkpointStored();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(store.log.size()).toBe(15);
    expect(anchoring.outbox?.backlog()).toBe(3);
    const attempts = store.db.prepare('SELECT MAX(attempts) AS n FROM anchor_outbox WHERE handed_over_at_ms IS NULL').get() as { n: number };
    expect(attempts.n).toBeGreaterThanOrEqual(1);

    redis = await startRedis(port);
    await vi.waitFor(() => expect(anchoring.outbox?.backlog()).toBe(0), { timeout: 15_000 });
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    cleanups.push(() => connection.disconnect());
    const checkpoints = new Queue(CHECKPOINT_QUEUE_NAME, { connection, prefix });
    cleanups.push(() => checkpoints.close());
    for (const size of sizes) expect(await checkpoints.getJob(checkpointJobId(origin, size))).toBeDefined();
    // Results flow again too.
    const results = new Queue(anchorResultsQueueName(origin), { connection, prefix });
    cleanups.push(() => results.close());
    const last = sizes.at(-1) ?? 0;
    await results.add('anchor-result', {
      format: ANCHOR_RESULT_FORMAT,
      origin,
      treeSize: last,
      digest: checkpointDigestHex(store.checkpoints.get(last)?.note ?? ''),
      chainId: 1,
      state: 'submitted',
      txHash: `0x${'ab'.repeat(32)}`,
      observedAtMs: 5,
    });
    await vi.waitFor(() => expect(anchoring.anchors.forCheckpoint(last)).toHaveLength(1), { timeout: 15_000 });
  }, 60_000);
});
