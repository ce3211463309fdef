// The anchor service (spec section 6; issue 4): a BullMQ worker that anchors signed checkpoints on EVM chains
// and follows each anchor to finality. docs/anchoring.md explains how it works and how to run it.
export { AnchorError, isAnchorError, describeError, type AnchorErrorCode } from './errors/anchor-error.js';
export { decodeCheckpointJob, type CheckpointJob, type Digest } from './checkpoint/checkpoint-job.js';

export type { Address, AnchorChain, BroadcastOutcome, ChainBlock, ChainReceipt, Hex } from './chain/anchor-chain.js';
export { createViemAnchorChain, redactUrl, type ViemAnchorChainParameters } from './chain/viem-anchor-chain.js';
export {
  anchorTransaction,
  createPrivateKeySigner,
  type AnchorSigner,
  type AnchorTransactionParameters,
  type SignedAnchorTransaction,
} from './chain/anchor-transaction.js';
export {
  REPLACEMENT_BUMP_PER_MILLE,
  bumpFee,
  firstAttemptFees,
  gasLimitFor,
  replacementFees,
  type Eip1559Fees,
  type FeeDecision,
  type FeeSituation,
} from './chain/fee-policy.js';
export { confirmationsOf, describeFinality, type FinalityRule } from './chain/finality-rule.js';

export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { loadAnchorKey, type AnchorKeySource, type LoadedAnchorKey } from './config/anchor-key.js';
export {
  ANCHOR_CONFIG_FILE_ENV,
  ANCHOR_KEY_ENV,
  ANCHOR_SETTINGS,
  ANCHOR_SETTING_KEYS,
  type AnchorSettingKey,
  type AnchorSettingSpec,
} from './config/anchor-settings.js';
export {
  ANCHOR_DEFAULTS,
  describeAnchorSettings,
  resolveAnchorConfig,
  type AnchorChainConfig,
  type AnchorServiceConfig,
  type LogLevel,
  type ResolveAnchorConfigParameters,
  type ResolvedAnchorConfig,
} from './config/resolve-anchor-config.js';

export type { AnchorAttempt, AnchorInclusion, AnchorRecord, AnchorRecordState } from './state/anchor-record.js';
export type { AnchorStateStore, ClaimInput, ClaimOutcome, OfferOutcome } from './state/anchor-state-store.js';
export { createRedisAnchorStateStore, type RedisAnchorStateStoreParameters } from './state/redis-anchor-state-store.js';
export { createMemoryAnchorStateStore } from './state/memory-anchor-state-store.js';

export { createMemoryAnchorResultSink, type AnchorResultSink, type MemoryAnchorResultSink } from './results/anchor-result-sink.js';
export { ANCHOR_RESULT_JOB_NAME, createBullmqAnchorResultSink } from './results/bullmq-anchor-result-sink.js';

export { backoffDelayMs, timerSleep, type BackoffSettings, type Sleep } from './lifecycle/backoff.js';
export {
  ChainAnchorer,
  type AnchorContext,
  type ChainAnchorerParameters,
  type ChainOutcome,
  type ChainSettings,
} from './lifecycle/chain-anchorer.js';

export { createAnchorLogger } from './logging/anchor-logger.js';
export { createAnchorMetrics, type AnchorMetrics } from './metrics/anchor-metrics.js';
export { startMetricsServer, type MetricsServer } from './metrics/metrics-server.js';
export { createAnchorJobProcessor, type AnchorJobProcessor, type AnchorJobResult } from './worker/anchor-job-processor.js';
export {
  startAnchorService,
  type AnchorServiceOptions,
  type RunningAnchorChain,
  type RunningAnchorService,
} from './worker/anchor-service.js';
