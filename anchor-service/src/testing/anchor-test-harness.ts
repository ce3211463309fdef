/**
 * Test support for the integration tests: a chain anchorer wired to a real anvil chain and the machine's
 * Redis (a unique prefix per test, removed afterwards), with results kept in memory, metrics on a fresh
 * registry and log lines captured as JSON objects.
 */
import { Writable } from 'node:stream';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { AnchorResultData } from '@trialgate/proof-formats';
import type { AnchorChain } from '../chain/anchor-chain.js';
import { createPrivateKeySigner, type AnchorSigner } from '../chain/anchor-transaction.js';
import { createViemAnchorChain } from '../chain/viem-anchor-chain.js';
import { systemClock } from '../clock.js';
import type { AnchorChainConfig, AnchorServiceConfig } from '../config/resolve-anchor-config.js';
import { decodeCheckpointJob } from '../checkpoint/checkpoint-job.js';
import { timerSleep } from '../lifecycle/backoff.js';
import { ChainAnchorer, type ChainOutcome, type ChainSettings } from '../lifecycle/chain-anchorer.js';
import { createAnchorMetrics, type AnchorMetrics } from '../metrics/anchor-metrics.js';
import { createMemoryAnchorResultSink, type MemoryAnchorResultSink } from '../results/anchor-result-sink.js';
import { createRedisAnchorStateStore } from '../state/redis-anchor-state-store.js';
import type { AnchorStateStore } from '../state/anchor-state-store.js';
import type { AnvilProcess } from './anvil-process.js';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from './redis-test-prefix.js';
import type { SignedCheckpoint } from './signed-checkpoint.js';

export interface CapturedLogs {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
  /** Every captured line's text, for "no key material" checks. */
  readonly text: () => string;
}

export function captureLogs(level: pino.Level = 'debug'): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString('utf8');
      raw.push(text);
      for (const line of text.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines, text: () => raw.join('') };
}

export interface AnchorHarness {
  readonly redis: Redis;
  readonly prefix: string;
  readonly store: AnchorStateStore;
  readonly results: MemoryAnchorResultSink;
  readonly registry: Registry;
  readonly metrics: AnchorMetrics;
  readonly logs: CapturedLogs;
  readonly signer: AnchorSigner;
  anchorer(chain: AnchorChain, settings?: Partial<ChainSettings>): ChainAnchorer;
  /** Runs one checkpoint through `anchorer` to its outcome. */
  anchor(anchorer: ChainAnchorer, checkpoint: SignedCheckpoint, signal?: AbortSignal): Promise<ChainOutcome>;
  statesOf(treeSize: number, chainId?: number): readonly string[];
  resultsOf(treeSize: number): readonly AnchorResultData[];
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export const FAST_SETTINGS: Omit<ChainSettings, 'chainId'> = {
  finality: { kind: 'confirmations', confirmations: 2 },
  maxFeeWei: 10n ** 17n,
  minIntervalMs: 0,
  pollIntervalMs: 100,
  replaceAfterMs: 60_000,
  rebroadcastAfterMs: 30_000,
  backoff: { initialMs: 100, maxMs: 400 },
};

export async function createAnchorHarness(anvil: AnvilProcess, accountIndex = 0): Promise<AnchorHarness> {
  const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null, lazyConnect: true });
  await redis.connect();
  const prefix = uniqueTestPrefix('anchor');
  const store = createRedisAnchorStateStore({ redis, prefix });
  const results = createMemoryAnchorResultSink();
  const registry = new Registry();
  const metrics = createAnchorMetrics(registry);
  const logs = captureLogs();
  const account = anvil.accounts[accountIndex];
  if (account === undefined) throw new Error('no such anvil account');
  const signer = createPrivateKeySigner(account.privateKey);
  return {
    redis,
    prefix,
    store,
    results,
    registry,
    metrics,
    logs,
    signer,
    anchorer: (chain, settings = {}) =>
      new ChainAnchorer({
        chain,
        settings: { ...FAST_SETTINGS, chainId: anvil.chainId, ...settings },
        signer,
        store,
        results,
        metrics,
        logger: logs.logger,
        clock: systemClock,
        sleep: timerSleep,
        random: Math.random,
      }),
    anchor: (anchorer, checkpoint, signal) =>
      anchorer.anchor(decodeCheckpointJob(checkpoint.job), { enqueuedAtMs: Date.now(), signal: signal ?? new AbortController().signal }),
    statesOf: (treeSize, chainId = anvil.chainId) =>
      results.posted.filter((entry) => entry.result.treeSize === treeSize && entry.result.chainId === chainId).map((entry) => entry.result.state),
    resultsOf: (treeSize) => results.posted.filter((entry) => entry.result.treeSize === treeSize).map((entry) => entry.result),
    async metric(name, labels = {}) {
      const metric = registry.getSingleMetric(name);
      if (metric === undefined) return 0;
      const { values } = await metric.get();
      return values
        .filter((value) => Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected))
        .reduce((sum, value) => sum + value.value, 0);
    },
    async close() {
      redis.disconnect();
      await deleteKeysWithPrefix(SHARED_REDIS_URL, prefix);
    },
  };
}

export function viemChain(url: string): AnchorChain {
  return createViemAnchorChain({ rpcUrl: url, timeoutMs: 2000 });
}

/** Mines a block every `intervalMs` until stopped (anvil only mines on demand with automine off). */
export function startMiner(anvil: AnvilProcess, intervalMs = 100): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await anvil.request('evm_mine').catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Polls `check` every 50 ms until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface ChainTransaction {
  readonly hash: `0x${string}`;
  readonly from: string;
  readonly to: string | null;
  readonly input: string;
  readonly nonce: number;
  readonly blockNumber: number;
}

/** Every transaction in canonical blocks 0..latest (test chains are short). */
export async function canonicalTransactions(anvil: AnvilProcess): Promise<readonly ChainTransaction[]> {
  const latest = Number.parseInt(await anvil.request<string>('eth_blockNumber'), 16);
  const found: ChainTransaction[] = [];
  for (let number = 0; number <= latest; number += 1) {
    const block = await anvil.request<{ transactions: { hash: `0x${string}`; from: string; to: string | null; input: string; nonce: string }[] }>(
      'eth_getBlockByNumber',
      [`0x${number.toString(16)}`, true],
    );
    for (const tx of block.transactions) {
      found.push({ hash: tx.hash, from: tx.from, to: tx.to, input: tx.input, nonce: Number.parseInt(tx.nonce, 16), blockNumber: number });
    }
  }
  return found;
}

/** A service configuration for tests: fast polling, short locks, no minimum interval, the key from `env`. */
export function testServiceConfig(
  rpcUrl: string,
  queuePrefix: string,
  chain: Partial<AnchorChainConfig> = {},
  service: Partial<AnchorServiceConfig> = {},
): AnchorServiceConfig {
  return {
    redisUrl: SHARED_REDIS_URL,
    gatewayKeys: [],
    queuePrefix,
    key: { kind: 'env', name: 'TG_TEST_ANCHOR_KEY' },
    chains: [
      {
        rpcUrl,
        chainId: 31337,
        finality: { kind: 'confirmations', confirmations: 2 },
        maxFeeWei: 10n ** 17n,
        minIntervalMs: 0,
        pollIntervalMs: 100,
        replaceAfterMs: 60_000,
        rebroadcastAfterMs: 30_000,
        rpcTimeoutMs: 2000,
        ...chain,
      },
    ],
    concurrency: 16,
    lockDurationMs: 3000,
    stalledIntervalMs: 1000,
    metrics: null,
    logLevel: 'debug',
    ...service,
  };
}

/** Every result the service posted on `queueName`, oldest first. */
export async function postedResults(queueName: string, queuePrefix: string): Promise<readonly AnchorResultData[]> {
  const queue = new Queue<AnchorResultData>(queueName, { connection: { url: SHARED_REDIS_URL }, prefix: queuePrefix });
  try {
    const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'], 0, -1, true);
    return jobs
      .filter((job) => job !== undefined)
      .sort((a, b) => a.timestamp - b.timestamp || a.data.observedAtMs - b.data.observedAtMs)
      .map((job) => job.data);
  } finally {
    await queue.close();
  }
}
