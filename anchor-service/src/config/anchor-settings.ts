/**
 * Every setting of `trialgate anchor`, with its three names: a flag (`--chain-id`), an environment variable
 * (`TRIALGATE_CHAIN_ID`) and a config-file key (`chainId`). Sites script against these names (issue 4 fixes
 * `--redis`, `--rpc`, `--key-file`, `--chain-id`, `--confirmations`, `--config`), so they are kept stable;
 * docs/anchoring.md documents the same table. The setting key is the flag's camelCase form, which is what
 * commander hands the CLI.
 *
 * Chain settings (`scope: 'chain'`) may also appear in each entry of a config file's `chains:` list; the
 * flags, variables and top-level keys then act as defaults for every entry.
 */

export type AnchorSettingKind = 'text' | 'path' | 'url' | 'redis-url' | 'port' | 'count' | 'duration' | 'wei' | 'log-level' | 'host' | 'vkeys';

export interface AnchorSettingSpec {
  readonly flag: string;
  readonly env: string;
  readonly file: string;
  readonly kind: AnchorSettingKind;
  readonly scope: 'service' | 'chain';
  readonly description: string;
}

export const ANCHOR_SETTINGS = {
  redis: { flag: 'redis', env: 'TRIALGATE_REDIS', file: 'redis', kind: 'redis-url', scope: 'service', description: 'Redis URL of the checkpoint queue, the same as the gateway\'s --redis (required)' },
  keyFile: { flag: 'key-file', env: 'TRIALGATE_KEY_FILE', file: 'keyFile', kind: 'path', scope: 'service', description: 'file holding the anchoring private key, 0x and 64 hex digits as anvil prints them (or put the key itself in TRIALGATE_ANCHOR_KEY)' },
  gatewayKey: { flag: 'gateway-key', env: 'TRIALGATE_GATEWAY_KEY', file: 'gatewayKeys', kind: 'vkeys', scope: 'service', description: 'verifier keys of the gateways whose checkpoints to anchor (trialgate keys show), comma-separated, or @FILE holding them (trialgate keys show > FILE); checkpoints not signed by their origin\'s key are refused (default: not pinned)' },
  rpc: { flag: 'rpc', env: 'TRIALGATE_RPC', file: 'rpc', kind: 'url', scope: 'chain', description: 'JSON-RPC URL of the chain (http or https; required unless the config file lists chains)' },
  chainId: { flag: 'chain-id', env: 'TRIALGATE_CHAIN_ID', file: 'chainId', kind: 'count', scope: 'chain', description: 'chain id the RPC endpoint must report (default: whatever it reports)' },
  confirmations: { flag: 'confirmations', env: 'TRIALGATE_CONFIRMATIONS', file: 'confirmations', kind: 'count', scope: 'chain', description: 'final after N confirmations, for chains without the finalized block tag (default 0: use the finalized tag)' },
  maxFee: { flag: 'max-fee', env: 'TRIALGATE_MAX_FEE', file: 'maxFee', kind: 'wei', scope: 'chain', description: 'most one anchor may cost, in wei or e.g. 0.01eth, 300000gwei (default 0.01eth)' },
  minInterval: { flag: 'min-interval', env: 'TRIALGATE_MIN_INTERVAL', file: 'minInterval', kind: 'duration', scope: 'chain', description: 'anchor each gateway log at most this often; newer checkpoints supersede waiting ones (default 10m)' },
  pollInterval: { flag: 'poll-interval', env: 'TRIALGATE_POLL_INTERVAL', file: 'pollInterval', kind: 'duration', scope: 'chain', description: 'how often pending anchors are looked at (default 4s)' },
  replaceAfter: { flag: 'replace-after', env: 'TRIALGATE_REPLACE_AFTER', file: 'replaceAfter', kind: 'duration', scope: 'chain', description: 'replace a transaction still pending after this long, fees +12.5% or more (default 90s)' },
  rpcTimeout: { flag: 'rpc-timeout', env: 'TRIALGATE_RPC_TIMEOUT', file: 'rpcTimeout', kind: 'duration', scope: 'chain', description: 'timeout of one JSON-RPC request (default 10s)' },
  queuePrefix: { flag: 'queue-prefix', env: 'TRIALGATE_QUEUE_PREFIX', file: 'queuePrefix', kind: 'text', scope: 'service', description: 'BullMQ key prefix, the same as the gateway\'s (default bull)' },
  concurrency: { flag: 'concurrency', env: 'TRIALGATE_ANCHOR_CONCURRENCY', file: 'concurrency', kind: 'count', scope: 'service', description: 'checkpoints one worker follows at once (default 64)' },
  lockDuration: { flag: 'lock-duration', env: 'TRIALGATE_LOCK_DURATION', file: 'lockDuration', kind: 'duration', scope: 'service', description: 'BullMQ job lock; a dead worker\'s jobs are retried after about this long (default 30s)' },
  stalledInterval: { flag: 'stalled-interval', env: 'TRIALGATE_STALLED_INTERVAL', file: 'stalledInterval', kind: 'duration', scope: 'service', description: 'how often BullMQ looks for jobs of dead workers (default 30s)' },
  metricsPort: { flag: 'metrics-port', env: 'TRIALGATE_METRICS_PORT', file: 'metrics.port', kind: 'port', scope: 'service', description: 'serve Prometheus metrics on GET /metrics at this port (default: off; 0 = any free port)' },
  metricsHost: { flag: 'metrics-host', env: 'TRIALGATE_METRICS_HOST', file: 'metrics.host', kind: 'host', scope: 'service', description: 'address of the metrics listener (default 127.0.0.1)' },
  logLevel: { flag: 'log-level', env: 'TRIALGATE_LOG_LEVEL', file: 'logLevel', kind: 'log-level', scope: 'service', description: 'fatal, error, warn, info, debug, trace or silent (default info)' },
} as const satisfies Record<string, AnchorSettingSpec>;

export type AnchorSettingKey = keyof typeof ANCHOR_SETTINGS;

export const ANCHOR_SETTING_KEYS = Object.keys(ANCHOR_SETTINGS) as AnchorSettingKey[];

export type ChainSettingKey = {
  [K in AnchorSettingKey]: (typeof ANCHOR_SETTINGS)[K]['scope'] extends 'chain' ? K : never;
}[AnchorSettingKey];

export const CHAIN_SETTING_KEYS = ANCHOR_SETTING_KEYS.filter((key) => ANCHOR_SETTINGS[key].scope === 'chain') as ChainSettingKey[];

/** `--config FILE`; falls back to this variable. */
export const ANCHOR_CONFIG_FILE_ENV = 'TRIALGATE_CONFIG';
/** The anchoring key itself, for sites that inject secrets as environment variables. */
export const ANCHOR_KEY_ENV = 'TRIALGATE_ANCHOR_KEY';
