/**
 * A worker killed mid-job (SIGKILL of a spawned `trialgate anchor` process): the job is retried by another
 * worker, which finds the transaction the dead one persisted and never anchors the checkpoint twice. Spawns
 * the built CLI (`npx tsc -b` first, as `npm test` does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_QUEUE_NAME, checkpointJobId, type CheckpointJobData } from '@trialgate/proof-formats';
import { parseAnchorRecord, type AnchorRecord } from '../state/anchor-record.js';
import { anchorStateKeys } from '../state/anchor-state-keys.js';
import { startAnvil, type AnvilProcess } from '../testing/anvil-process.js';
import { canonicalTransactions, eventually, postedResults, startMiner } from '../testing/anchor-test-harness.js';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from '../testing/redis-test-prefix.js';
import { startRpcFaultProxy } from '../testing/rpc-fault-proxy.js';
import { createCheckpointSigner, signCheckpoint } from '../testing/signed-checkpoint.js';

const CLI = fileURLToPath(new URL('../../../cli/bin/trialgate.js', import.meta.url));
const CLI_BUILT = existsSync(fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url)));
const site = createCheckpointSigner('trial.example/site-kill/gw-1');

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

interface SpawnedWorker {
  readonly child: ChildProcess;
  readonly output: () => string;
}

function spawnWorker(rpcUrl: string, prefix: string, key: string): SpawnedWorker {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'anchor',
      '--redis', SHARED_REDIS_URL,
      '--rpc', rpcUrl,
      '--chain-id', '31337',
      '--confirmations', '2',
      '--queue-prefix', prefix,
      '--min-interval', '0',
      '--poll-interval', '100ms',
      '--lock-duration', '2s',
      '--stalled-interval', '1s',
      '--rpc-timeout', '2s',
    ],
    { env: { ...process.env, TRIALGATE_ANCHOR_KEY: key, TRIALGATE_LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, output: () => output };
}

async function killHard(worker: SpawnedWorker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
  worker.child.kill('SIGKILL');
  await exited;
}

async function fixture(label: string) {
  const anvil: AnvilProcess = await startAnvil({ noMining: true });
  const prefix = uniqueTestPrefix(label);
  const queue = new Queue<CheckpointJobData>(CHECKPOINT_QUEUE_NAME, { connection: { url: SHARED_REDIS_URL }, prefix });
  const redis = new Redis(SHARED_REDIS_URL);
  cleanups.push(
    () => anvil.stop(),
    () => deleteKeysWithPrefix(SHARED_REDIS_URL, prefix),
    () => queue.close(),
    () => redis.quit(),
  );
  const readRecord = async (treeSize: number): Promise<AnchorRecord | null> => {
    const text = await redis.get(anchorStateKeys(`${prefix}:tg-anchor`).record(31337, site.origin, treeSize));
    return text === null ? null : parseAnchorRecord(text);
  };
  return { anvil, prefix, queue, readRecord };
}

describe.skipIf(!CLI_BUILT)('a worker killed mid-job (SIGKILL)', () => {
  it('after broadcasting: the job is retried and the same transaction is followed to final, nothing anchored twice', async () => {
    const { anvil, prefix, queue, readRecord } = await fixture('kill-sent');
    const key = anvil.accounts[2]?.privateKey ?? '';
    const first = spawnWorker(anvil.url, prefix, key);
    const checkpoint = signCheckpoint(site, 500);
    const id = checkpointJobId(site.origin, 500);
    await queue.add('checkpoint', checkpoint.job, { jobId: id });

    const submitted = await eventually(
      async () => (await postedResults(checkpoint.job.resultsQueue, prefix)).find((result) => result.state === 'submitted'),
      20_000,
      'submitted',
    );
    await killHard(first);
    expect(await queue.getJobState(id)).toBe('active');

    spawnWorker(anvil.url, prefix, key);
    const miner = startMiner(anvil, 100);
    cleanups.push(() => miner.stop());
    await eventually(async () => (await queue.getJobState(id)) === 'completed', 30_000, 'completed by the second worker');

    const final = (await postedResults(checkpoint.job.resultsQueue, prefix)).at(-1);
    expect(final).toMatchObject({ state: 'final', txHash: submitted.txHash });
    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.from.toLowerCase() === anvil.accounts[2]?.address.toLowerCase());
    expect(anchors).toHaveLength(1);
    expect(anchors[0]).toMatchObject({ hash: submitted.txHash, input: checkpoint.digest, nonce: 0 });
    expect((await readRecord(500))?.state).toBe('final');
  });

  it('between storing the signed transaction and broadcasting it: the next worker broadcasts the stored bytes', async () => {
    const { anvil, prefix, queue, readRecord } = await fixture('kill-unsent');
    await anvil.request('evm_setAutomine', [true]);
    const proxy = await startRpcFaultProxy(anvil.url);
    cleanups.push(() => proxy.close());
    // The node refuses every broadcast: the worker has stored its signed transaction but never sent it.
    await proxy.setFault({ kind: 'refuse-methods', methods: ['eth_sendRawTransaction'], message: 'service unavailable' });
    const key = anvil.accounts[3]?.privateKey ?? '';
    const first = spawnWorker(proxy.url, prefix, key);
    const checkpoint = signCheckpoint(site, 600);
    const id = checkpointJobId(site.origin, 600);
    await queue.add('checkpoint', checkpoint.job, { jobId: id });

    const stored = await eventually(async () => {
      const record = await readRecord(600);
      return record?.state === 'pending' && proxy.faultsServed() >= 1 ? record : undefined;
    }, 20_000, 'a stored, unsent transaction');
    const storedHash = stored.attempts.at(-1)?.hash;
    expect(stored.attempts.at(-1)?.broadcastAtMs).toBeUndefined();
    await killHard(first);
    expect((await canonicalTransactions(anvil)).filter((tx) => tx.input === checkpoint.digest)).toHaveLength(0);

    await proxy.setFault({ kind: 'none' });
    const second = spawnWorker(proxy.url, prefix, key);
    const miner = startMiner(anvil, 100);
    cleanups.push(() => miner.stop());
    await eventually(async () => (await queue.getJobState(id)) === 'completed', 30_000, 'completed by the second worker');

    const results = await postedResults(checkpoint.job.resultsQueue, prefix);
    expect(results.at(-1)).toMatchObject({ state: 'final', txHash: storedHash });
    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.input === checkpoint.digest);
    expect(anchors).toHaveLength(1);
    expect(anchors[0]?.hash).toBe(storedHash);
    // The second worker's log shows it broadcast the stored transaction, and no key reached any log.
    expect(second.output()).toContain('anchor transaction broadcast');
    expect(first.output() + second.output()).not.toContain(key.slice(2, 20));
  });
});
