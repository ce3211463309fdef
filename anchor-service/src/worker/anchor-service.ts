/**
 * `trialgate anchor` as a library: wires the ports (Redis state and results, viem chains, the key, metrics,
 * logs) around one BullMQ worker on the checkpoint queue, and checks each chain before taking any job:
 * the endpoint answers, reports the configured chain id, has EIP-1559 fees and (unless confirmations are
 * configured) the `finalized` block tag.
 */
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createAnchorLogger } from '../logging/anchor-logger.js';
import { Registry } from 'prom-client';
import { CHECKPOINT_QUEUE_NAME, parseVerifierKey } from '@trialgate/proof-formats';
import type { Address, AnchorChain } from '../chain/anchor-chain.js';
import type { AnchorSigner } from '../chain/anchor-transaction.js';
import { describeFinality, type FinalityRule } from '../chain/finality-rule.js';
import { createViemAnchorChain } from '../chain/viem-anchor-chain.js';
import { systemClock, type Clock } from '../clock.js';
import { loadAnchorKey } from '../config/anchor-key.js';
import type { AnchorChainConfig, AnchorServiceConfig } from '../config/resolve-anchor-config.js';
import { AnchorError, describeError, isAnchorError } from '../errors/anchor-error.js';
import { backoffDelayMs, timerSleep, type BackoffSettings, type Sleep } from '../lifecycle/backoff.js';
import { ChainAnchorer } from '../lifecycle/chain-anchorer.js';
import { createAnchorMetrics, type AnchorMetrics } from '../metrics/anchor-metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/metrics-server.js';
import { createBullmqAnchorResultSink } from '../results/bullmq-anchor-result-sink.js';
import { createRedisAnchorStateStore } from '../state/redis-anchor-state-store.js';
import { createAnchorJobProcessor, type AnchorJobResult } from './anchor-job-processor.js';

export interface AnchorServiceOptions {
  /** Default: pino JSON on stdout at the configured level. */
  readonly logger?: Logger;
  /** Default: a new registry (exposed by `--metrics-port`). */
  readonly registry?: Registry;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  readonly env?: NodeJS.ProcessEnv;
  /** The key, when the caller already holds a signer (tests); default: read from `config.key`. */
  readonly signer?: AnchorSigner;
  /** Builds the chain port for one configured chain (default: viem over HTTP). */
  readonly createChain?: (config: AnchorChainConfig) => AnchorChain;
  /** Retry delays of RPC and funding problems (default 1 s doubling to 60 s). */
  readonly backoff?: BackoffSettings;
  /** How often the backlog, balance and lag gauges are refreshed (default 15 s). */
  readonly monitorIntervalMs?: number;
  /** Aborts the start-up checks (e.g. SIGTERM while the RPC endpoint is still down). */
  readonly signal?: AbortSignal;
  /** BullMQ key prefix of the anchor state (default `<queuePrefix>:tg-anchor`). */
  readonly statePrefix?: string;
}

export interface RunningAnchorChain {
  readonly chainId: number;
  readonly endpoint: string;
  readonly finality: FinalityRule;
}

export interface RunningAnchorService {
  readonly address: Address;
  readonly chains: readonly RunningAnchorChain[];
  readonly metricsUrl: string | null;
  readonly registry: Registry;
  /** Stops taking jobs, hands active ones back to the queue, closes connections. */
  close(): Promise<void>;
}

const DEFAULT_BACKOFF: BackoffSettings = { initialMs: 1000, maxMs: 60_000 };

export async function startAnchorService(config: AnchorServiceConfig, options: AnchorServiceOptions = {}): Promise<RunningAnchorService> {
  const logger = options.logger ?? createAnchorLogger(config.logLevel);
  const log = logger.child({ component: 'anchor-service' });
  const registry = options.registry ?? new Registry();
  const metrics = createAnchorMetrics(registry);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? timerSleep;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const startSignal = options.signal ?? new AbortController().signal;

  let signer = options.signer;
  if (signer === undefined) {
    const loaded = loadAnchorKey(config.key, options.env ?? process.env);
    if (loaded.looseFileMode !== undefined) {
      log.warn({ mode: loaded.looseFileMode }, 'the anchoring key file can be read by other users; chmod 600 it');
    }
    signer = loaded.signer;
  }

  // Chains are checked before any job is taken: a wrong chain id or a missing finality rule is a
  // configuration error to fix, not something to retry.
  const createChain = options.createChain ?? ((chain: AnchorChainConfig) => createViemAnchorChain({ rpcUrl: chain.rpcUrl, timeoutMs: chain.rpcTimeoutMs }));
  const chains: { readonly config: AnchorChainConfig; readonly chain: AnchorChain; readonly chainId: number }[] = [];
  for (const chainConfig of config.chains) {
    const chain = createChain(chainConfig);
    const chainId = await checkChain(chain, chainConfig, { log, metrics, sleep, random, backoff, signal: startSignal });
    chains.push({ config: chainConfig, chain, chainId });
  }
  const ids = chains.map((entry) => entry.chainId);
  if (new Set(ids).size !== ids.length) {
    throw new AnchorError('E_ANCHORING_CONFIG', 'two configured RPC endpoints serve the same chain id; list each chain once');
  }

  const connectionOptions = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
  const commands = new Redis(config.redisUrl, connectionOptions);
  const workerConnection = new Redis(config.redisUrl, connectionOptions);
  for (const connection of [commands, workerConnection]) {
    connection.on('error', (error: Error) => log.warn({ err: { code: 'E_ANCHORING_REDIS', message: error.message } }, 'Redis connection error'));
  }
  const statePrefix = options.statePrefix ?? `${config.queuePrefix}:tg-anchor`;
  const store = createRedisAnchorStateStore({ redis: commands, prefix: statePrefix });
  const results = createBullmqAnchorResultSink({ connection: commands, prefix: config.queuePrefix });

  const anchorers = chains.map(
    ({ config: chainConfig, chain, chainId }) =>
      new ChainAnchorer({
        chain,
        settings: {
          chainId,
          finality: chainConfig.finality,
          maxFeeWei: chainConfig.maxFeeWei,
          minIntervalMs: chainConfig.minIntervalMs,
          pollIntervalMs: chainConfig.pollIntervalMs,
          replaceAfterMs: chainConfig.replaceAfterMs,
          rebroadcastAfterMs: chainConfig.rebroadcastAfterMs,
          backoff,
        },
        signer,
        store,
        results,
        metrics,
        logger,
        clock,
        sleep,
        random,
      }),
  );
  const trustedKeys = config.gatewayKeys.map((key) => parseVerifierKey(key));
  if (trustedKeys.length === 0) {
    log.warn('gateway keys not pinned (--gateway-key): any checkpoint job on the queue is anchored, whoever wrote it');
  }
  const processor = createAnchorJobProcessor({ anchorers, logger, clock, trustedKeys });

  const worker = new Worker<unknown, AnchorJobResult>(CHECKPOINT_QUEUE_NAME, (job, token) => processor.process(job, token), {
    connection: workerConnection,
    prefix: config.queuePrefix,
    concurrency: config.concurrency,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    // A job whose worker was killed is retried however often that happens: the backlog is never dropped.
    maxStalledCount: 1_000_000,
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 90 * 24 * 3600 },
    autorun: false,
  });
  worker.on('error', (error) => log.warn({ err: { code: 'E_ANCHORING_QUEUE', message: error.message } }, 'checkpoint queue error'));
  worker.on('failed', (job, error) => {
    if (job !== undefined) log.error({ jobId: job.id, err: { code: 'E_ANCHORING_JOB', message: error.message } }, 'checkpoint job failed');
  });
  worker.on('completed', (job, result) => log.info({ jobId: job.id, origin: result.origin, treeSize: result.treeSize, chains: result.chains }, 'checkpoint job done'));

  // Gauges: queue backlog, balance per chain, lag per chain.
  const queue = new Queue(CHECKPOINT_QUEUE_NAME, { connection: commands, prefix: config.queuePrefix });
  queue.on('error', () => undefined);
  const monitor = async (): Promise<void> => {
    try {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
      metrics.backlog.set(Object.values(counts).reduce((sum, count) => sum + count, 0));
    } catch {
      // Redis down: the connection error is logged by its listener.
    }
    for (const { chain, chainId } of chains) {
      metrics.lag.set({ chain_id: String(chainId) }, processor.lagSeconds(chainId));
      try {
        const balance = await chain.getBalance(signer.address);
        metrics.balance.set({ chain_id: String(chainId), address: signer.address }, Number(balance));
      } catch (error) {
        metrics.rpcErrors.inc({ chain_id: String(chainId), method: 'eth_getBalance' });
        log.debug({ chainId, err: describeError(error) }, 'balance check failed');
      }
    }
  };
  await monitor();
  const monitorTimer = setInterval(() => void monitor(), options.monitorIntervalMs ?? 15_000);
  monitorTimer.unref();

  let metricsServer: MetricsServer | null = null;
  if (config.metrics !== null) metricsServer = await startMetricsServer(registry, config.metrics.host, config.metrics.port);

  void worker.run().catch((error: unknown) => log.error({ err: describeError(error) }, 'checkpoint worker stopped'));
  await worker.waitUntilReady();

  const running: RunningAnchorChain[] = chains.map(({ chain, chainId, config: chainConfig }) => ({
    chainId,
    endpoint: chain.endpoint,
    finality: chainConfig.finality,
  }));
  log.info(
    {
      address: signer.address,
      queue: CHECKPOINT_QUEUE_NAME,
      queuePrefix: config.queuePrefix,
      gatewayKeys: trustedKeys.map((key) => key.verifierKey),
      chains: running.map((chain) => ({ chainId: chain.chainId, endpoint: chain.endpoint, finality: describeFinality(chain.finality) })),
      metrics: metricsServer?.url ?? null,
    },
    'anchor service started',
  );

  let closed: Promise<void> | null = null;
  return {
    address: signer.address,
    chains: running,
    metricsUrl: metricsServer?.url ?? null,
    registry,
    close() {
      closed ??= (async () => {
        clearInterval(monitorTimer);
        processor.abort();
        await worker.close();
        await results.close();
        await queue.close();
        await metricsServer?.close();
        await Promise.all([commands.quit().catch(() => undefined), workerConnection.quit().catch(() => undefined)]);
        log.info('anchor service stopped');
      })();
      return closed;
    },
  };
}

interface CheckContext {
  readonly log: Logger;
  readonly metrics: AnchorMetrics;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly backoff: BackoffSettings;
  readonly signal: AbortSignal;
}

/** The chain's id, once the endpoint answers; configuration errors are thrown, RPC errors retried. */
async function checkChain(chain: AnchorChain, config: AnchorChainConfig, context: CheckContext): Promise<number> {
  for (let failures = 1; ; failures += 1) {
    context.signal.throwIfAborted();
    try {
      const chainId = await chain.getChainId();
      if (config.chainId !== null && chainId !== config.chainId) {
        throw new AnchorError('E_ANCHORING_CHAIN_MISMATCH', `${chain.endpoint} serves chain ${chainId}, not the configured chain ${config.chainId}`, {
          details: { endpoint: chain.endpoint, reported: chainId, configured: config.chainId },
        });
      }
      const latest = await chain.getBlock('latest');
      if (latest !== null && latest.baseFeePerGas === null) {
        throw new AnchorError('E_ANCHORING_NO_EIP1559', `chain ${chainId} reports no base fee; anchors are EIP-1559 transactions`, { details: { chainId } });
      }
      if (config.finality.kind === 'finalized' && (await chain.getBlock('finalized')) === null) {
        throw new AnchorError(
          'E_ANCHORING_NO_FINALIZED_TAG',
          `chain ${chainId} at ${chain.endpoint} does not answer the finalized block tag; pass --confirmations N`,
          { details: { chainId } },
        );
      }
      return chainId;
    } catch (error) {
      if (isAnchorError(error) && error.code !== 'E_ANCHORING_RPC') throw error;
      const delayMs = backoffDelayMs(context.backoff, failures, context.random);
      context.metrics.rpcErrors.inc({ chain_id: String(config.chainId ?? 'unknown'), method: 'startup' });
      context.log.warn({ endpoint: chain.endpoint, err: describeError(error), retryInMs: delayMs }, 'RPC endpoint not answering at start-up; retrying');
      await context.sleep(delayMs, context.signal);
    }
  }
}
