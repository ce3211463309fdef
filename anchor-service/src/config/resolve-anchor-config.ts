/**
 * Resolves `trialgate anchor`'s configuration from flag > environment (`TRIALGATE_*`) > config file > default,
 * validates it once and returns plain data. The config file is JSON or YAML; its top-level keys are the
 * settings' `file` names, plus an optional `chains:` list whose entries take the chain settings (`rpc`,
 * `chainId`, `confirmations`, `maxFee`, ...) for anchoring on several chains at once. A key we do not know is
 * an error, not ignored: a misspelt `confirmation:` would otherwise silently fall back to the finalized tag.
 *
 * The key itself is never part of the result: only where to read it (`AnchorKeySource`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseUnits } from 'viem';
import { parse as parseYaml } from 'yaml';
import { parseVerifierKey } from '@trialgate/proof-formats';
import type { FinalityRule } from '../chain/finality-rule.js';
import { AnchorError } from '../errors/anchor-error.js';
import type { AnchorKeySource } from './anchor-key.js';
import { expandVerifierKeyFiles } from './verifier-key-files.js';
import {
  ANCHOR_CONFIG_FILE_ENV,
  ANCHOR_KEY_ENV,
  ANCHOR_SETTINGS,
  ANCHOR_SETTING_KEYS,
  CHAIN_SETTING_KEYS,
  type AnchorSettingKey,
  type AnchorSettingKind,
  type ChainSettingKey,
} from './anchor-settings.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AnchorChainConfig {
  readonly rpcUrl: string;
  /** null: take the id the endpoint reports. */
  readonly chainId: number | null;
  readonly finality: FinalityRule;
  readonly maxFeeWei: bigint;
  readonly minIntervalMs: number;
  readonly pollIntervalMs: number;
  readonly replaceAfterMs: number;
  readonly rebroadcastAfterMs: number;
  readonly rpcTimeoutMs: number;
}

export interface AnchorServiceConfig {
  readonly redisUrl: string;
  /** Pinned gateway verifier keys (`<name>+<key id>+<key>`); empty: checkpoint signatures are not checked. */
  readonly gatewayKeys: readonly string[];
  readonly queuePrefix: string;
  readonly key: AnchorKeySource;
  readonly chains: readonly AnchorChainConfig[];
  readonly concurrency: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly metrics: { readonly host: string; readonly port: number } | null;
  readonly logLevel: LogLevel;
}

export const ANCHOR_DEFAULTS = {
  maxFeeWei: 10n ** 16n,
  minIntervalMs: 600_000,
  pollIntervalMs: 4_000,
  replaceAfterMs: 90_000,
  rpcTimeoutMs: 10_000,
  queuePrefix: 'bull',
  concurrency: 64,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  metricsHost: '127.0.0.1',
  logLevel: 'info',
} as const;

type RawValue = string | number | null;

export interface ResolveAnchorConfigParameters {
  /** Values from flags, keyed by setting (commander's camelCase); undefined when not given. */
  readonly flags: Partial<Record<AnchorSettingKey, string | undefined>>;
  /** `--config FILE`; falls back to `TRIALGATE_CONFIG`. */
  readonly configFile?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface ResolvedAnchorConfig {
  readonly config: AnchorServiceConfig;
  readonly configFile: string | null;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_DURATION_MS = 86_400_000;

function configError(message: string, details: Record<string, unknown> = {}): AnchorError {
  return new AnchorError('E_ANCHORING_CONFIG', message, { details });
}

export function resolveAnchorConfig(parameters: ResolveAnchorConfigParameters): ResolvedAnchorConfig {
  const { env } = parameters;
  const configFileName = parameters.configFile ?? nonEmpty(env[ANCHOR_CONFIG_FILE_ENV]);
  const file = configFileName === undefined ? null : readAnchorConfigFile(path.resolve(parameters.cwd, configFileName));
  const fileDir = file === null ? parameters.cwd : path.dirname(file.file);

  /** The value of a setting from flag > environment > top-level file key, with where it came from. */
  const raw = (key: AnchorSettingKey): { value: RawValue; where: string; fromFile: boolean } | undefined => {
    const spec = ANCHOR_SETTINGS[key];
    const flag = parameters.flags[key];
    if (flag !== undefined) return { value: flag, where: `--${spec.flag}`, fromFile: false };
    const fromEnv = nonEmpty(env[spec.env]);
    if (fromEnv !== undefined) return { value: fromEnv, where: spec.env, fromFile: false };
    if (file !== null && key in file.values) return { value: file.values[key] ?? null, where: `${file.file}: ${spec.file}`, fromFile: true };
    return undefined;
  };
  const setting = <T>(key: AnchorSettingKey, fallback: T): T | string | number | null => {
    const found = raw(key);
    if (found === undefined) return fallback;
    // `@FILE` items of a key list: relative to the config file when written there, else to the working directory.
    const value =
      ANCHOR_SETTINGS[key].kind === 'vkeys' && typeof found.value === 'string'
        ? expandVerifierKeyFiles(found.value, found.fromFile ? fileDir : parameters.cwd, found.where)
        : found.value;
    const parsed = parseValue(ANCHOR_SETTINGS[key].kind, value, found.where);
    if (ANCHOR_SETTINGS[key].kind === 'path' && typeof parsed === 'string' && found.fromFile) return path.resolve(fileDir, parsed);
    return parsed;
  };

  const redis = setting('redis', undefined);
  if (typeof redis !== 'string') {
    throw configError(`the Redis URL is required: pass --redis, set ${ANCHOR_SETTINGS.redis.env} or the config-file key redis`);
  }

  // The key: a file (flag, variable or config key) or the key itself in TRIALGATE_ANCHOR_KEY, not both.
  const keyFile = setting('keyFile', undefined);
  const keyInEnv = nonEmpty(env[ANCHOR_KEY_ENV]) !== undefined;
  if (typeof keyFile === 'string' && keyInEnv) {
    throw configError(`the anchoring key is given twice: use either a key file or ${ANCHOR_KEY_ENV}, not both`);
  }
  let key: AnchorKeySource;
  if (typeof keyFile === 'string') key = { kind: 'file', path: path.resolve(parameters.cwd, keyFile) };
  else if (keyInEnv) key = { kind: 'env', name: ANCHOR_KEY_ENV };
  else {
    throw configError(
      `the anchoring key is required: pass --key-file, set ${ANCHOR_SETTINGS.keyFile.env} or the config-file key keyFile, or put the key in ${ANCHOR_KEY_ENV}`,
    );
  }

  // Chain defaults from flag > environment > top-level file key; then one chain, or the file's `chains:` list.
  const defaults: Partial<Record<ChainSettingKey, RawWithWhere>> = {};
  for (const chainKey of CHAIN_SETTING_KEYS) {
    const found = raw(chainKey);
    if (found !== undefined) defaults[chainKey] = found;
  }
  const rpcFromTop = parameters.flags.rpc !== undefined || nonEmpty(env[ANCHOR_SETTINGS.rpc.env]) !== undefined;
  let entries: Partial<Record<ChainSettingKey, RawWithWhere>>[];
  if (file?.chains !== undefined && ('rpc' in file.values || 'chainId' in file.values)) {
    throw configError(`config file ${file.file}: put rpc and chainId either at the top level (one chain) or in each chains entry, not both`);
  }
  if (file?.chains !== undefined && !rpcFromTop) {
    entries = file.chains.map((entry) => ({ ...withoutRpcAndId(defaults), ...entry }));
  } else {
    entries = [defaults];
  }
  if (entries.length === 0) throw configError(`the config file ${file?.file ?? ''} lists no chains`);
  const chains = entries.map((entry, index) => resolveChain(entry, index));
  const ids = chains.map((chain) => chain.chainId).filter((id): id is number => id !== null);
  if (new Set(ids).size !== ids.length) throw configError('two chains have the same chainId; list each chain once');

  const metricsPort = setting('metricsPort', undefined);
  const metricsHost = setting('metricsHost', ANCHOR_DEFAULTS.metricsHost);
  const concurrency = setting('concurrency', ANCHOR_DEFAULTS.concurrency);
  if (typeof concurrency !== 'number' || concurrency < 1 || concurrency > 10_000) {
    throw configError('concurrency must be between 1 and 10000');
  }
  const gatewayKeys = setting('gatewayKey', '');
  const config: AnchorServiceConfig = {
    redisUrl: redis,
    gatewayKeys: typeof gatewayKeys === 'string' && gatewayKeys !== '' ? gatewayKeys.split(',') : [],
    queuePrefix: asString(setting('queuePrefix', ANCHOR_DEFAULTS.queuePrefix)),
    key,
    chains,
    concurrency,
    lockDurationMs: asNumber(setting('lockDuration', ANCHOR_DEFAULTS.lockDurationMs)),
    stalledIntervalMs: asNumber(setting('stalledInterval', ANCHOR_DEFAULTS.stalledIntervalMs)),
    metrics: typeof metricsPort === 'number' ? { host: asString(metricsHost), port: metricsPort } : null,
    logLevel: asString(setting('logLevel', ANCHOR_DEFAULTS.logLevel)) as LogLevel,
  };
  if (config.lockDurationMs < 1000) throw configError('lock-duration must be at least 1s');
  if (config.stalledIntervalMs < 500) throw configError('stalled-interval must be at least 500ms');
  return { config, configFile: file?.file ?? null };
}

interface RawWithWhere {
  readonly value: RawValue;
  readonly where: string;
}

function withoutRpcAndId(defaults: Partial<Record<ChainSettingKey, RawWithWhere>>): Partial<Record<ChainSettingKey, RawWithWhere>> {
  const { rpc: _rpc, chainId: _chainId, ...rest } = defaults;
  return rest;
}

function resolveChain(entry: Partial<Record<ChainSettingKey, RawWithWhere>>, index: number): AnchorChainConfig {
  const get = (key: ChainSettingKey): string | number | null | undefined => {
    const found = entry[key];
    return found === undefined ? undefined : parseValue(ANCHOR_SETTINGS[key].kind, found.value, found.where);
  };
  const rpcUrl = get('rpc');
  if (typeof rpcUrl !== 'string') {
    throw configError(
      index === 0
        ? `the chain's RPC URL is required: pass --rpc, set ${ANCHOR_SETTINGS.rpc.env}, or list chains in the config file`
        : `chains[${index}] has no rpc`,
    );
  }
  const chainId = get('chainId');
  if (chainId === 0) throw configError('chainId must be at least 1');
  const confirmations = get('confirmations');
  const finality: FinalityRule =
    typeof confirmations === 'number' && confirmations > 0 ? { kind: 'confirmations', confirmations } : { kind: 'finalized' };
  const maxFee = get('maxFee');
  const maxFeeWei = typeof maxFee === 'string' ? BigInt(maxFee) : ANCHOR_DEFAULTS.maxFeeWei;
  if (maxFeeWei <= 0n) throw configError('maxFee must be more than 0 wei');
  const pollIntervalMs = numberOr(get('pollInterval'), ANCHOR_DEFAULTS.pollIntervalMs);
  const replaceAfterMs = numberOr(get('replaceAfter'), ANCHOR_DEFAULTS.replaceAfterMs);
  if (pollIntervalMs < 50) throw configError('poll-interval must be at least 50ms');
  if (replaceAfterMs < pollIntervalMs) throw configError('replace-after must be at least the poll interval');
  return {
    rpcUrl,
    chainId: typeof chainId === 'number' ? chainId : null,
    finality,
    maxFeeWei,
    minIntervalMs: numberOr(get('minInterval'), ANCHOR_DEFAULTS.minIntervalMs),
    pollIntervalMs,
    replaceAfterMs,
    // Resend a pending transaction as often as it could be replaced, but at least every minute.
    rebroadcastAfterMs: Math.min(replaceAfterMs, 60_000),
    rpcTimeoutMs: numberOr(get('rpcTimeout'), ANCHOR_DEFAULTS.rpcTimeoutMs),
  };
}

/** Turns one raw value into its typed value (wei as a decimal string), or a config error naming its source. */
export function parseValue(kind: AnchorSettingKind, raw: RawValue, where: string): string | number | null {
  const fail = (expected: string): never => {
    throw configError(`${where}: ${JSON.stringify(raw)} is not ${expected}`, { where, expected });
  };
  switch (kind) {
    case 'text':
    case 'path':
    case 'host':
      if (typeof raw !== 'string' || raw.trim() === '') return fail('a non-empty text');
      return raw;
    case 'url':
    case 'redis-url': {
      if (typeof raw !== 'string') return fail(kind === 'url' ? 'an http(s) URL' : 'a redis:// or rediss:// URL');
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return fail(kind === 'url' ? 'an http(s) URL' : 'a redis:// or rediss:// URL');
      }
      const allowed = kind === 'url' ? ['http:', 'https:'] : ['redis:', 'rediss:'];
      if (!allowed.includes(url.protocol)) return fail(kind === 'url' ? 'an http(s) URL' : 'a redis:// or rediss:// URL');
      return raw;
    }
    case 'port': {
      const port = toInteger(raw);
      if (port === null || port > 65_535) return fail('a port number (0-65535; 0 picks a free port)');
      return port;
    }
    case 'count': {
      const count = toInteger(raw);
      if (count === null || count > 1_000_000_000) return fail('a whole number >= 0');
      return count;
    }
    case 'duration': {
      const ms = toDuration(raw);
      if (ms === null || ms > MAX_DURATION_MS) return fail('a duration (milliseconds, or e.g. 500ms, 10s, 5m, 1h; at most 24h)');
      return ms;
    }
    case 'wei': {
      const wei = toWei(raw);
      if (wei === null) return fail('an amount in wei, or with a unit: e.g. 10000000000000000, 300000gwei, 0.01eth');
      return wei;
    }
    case 'log-level':
      if (typeof raw !== 'string' || !(LOG_LEVELS as readonly string[]).includes(raw)) return fail(`one of ${LOG_LEVELS.join(', ')}`);
      return raw;
    case 'vkeys': {
      if (typeof raw !== 'string') return fail('verifier keys (<name>+<8 hex>+<base64>), comma-separated');
      const keys = raw.split(/[\s,]+/).filter((key) => key !== '');
      for (const key of keys) {
        try {
          parseVerifierKey(key);
        } catch {
          return fail('verifier keys (<name>+<8 hex>+<base64>, as trialgate keys show prints them), comma-separated');
        }
      }
      return keys.join(',');
    }
  }
}

function toInteger(raw: RawValue): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : null;
  if (typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim())) return Number(raw.trim());
  return null;
}

function toDuration(raw: RawValue): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : null;
  if (typeof raw !== 'string') return null;
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(raw.trim());
  if (match === null) return null;
  const factor = DURATION_UNITS_MS[(match[2] ?? '').toLowerCase() || 'ms'];
  if (factor === undefined) return null;
  return Math.round(Number(match[1]) * factor);
}

/** Wei as a decimal string (JSON and YAML numbers cannot hold every wei amount exactly). */
function toWei(raw: RawValue): string | null {
  const text = typeof raw === 'number' ? (Number.isSafeInteger(raw) ? String(raw) : null) : raw;
  if (typeof text !== 'string') return null;
  const match = /^(\d{1,30}(?:\.\d{1,18})?)\s*(wei|gwei|eth|ether)?$/i.exec(text.trim());
  if (match === null) return null;
  const unit = (match[2] ?? 'wei').toLowerCase();
  const decimals = unit === 'wei' ? 0 : unit === 'gwei' ? 9 : 18;
  const amount = match[1] ?? '';
  if (decimals === 0 && amount.includes('.')) return null;
  const wei = parseUnits(amount, decimals);
  return wei.toString();
}

function numberOr(value: string | number | null | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function asString(value: unknown): string {
  return String(value);
}

function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

// --- the config file

interface AnchorConfigFile {
  readonly file: string;
  readonly values: Partial<Record<AnchorSettingKey, RawValue>>;
  readonly chains?: readonly Partial<Record<ChainSettingKey, RawWithWhere>>[];
}

const KEY_BY_FILE_PATH: ReadonlyMap<string, AnchorSettingKey> = new Map(ANCHOR_SETTING_KEYS.map((key) => [ANCHOR_SETTINGS[key].file, key]));
const CHAIN_KEY_BY_FILE_NAME: ReadonlyMap<string, ChainSettingKey> = new Map(CHAIN_SETTING_KEYS.map((key) => [ANCHOR_SETTINGS[key].file, key]));

export function readAnchorConfigFile(file: string): AnchorConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw configError(`cannot read config file ${file}`, { file });
  }
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (cause) {
    throw configError(`config file ${file} is not valid JSON or YAML: ${cause instanceof Error ? cause.message : String(cause)}`, { file });
  }
  if (document === null || document === undefined) return { file, values: {} };
  if (!isPlainObject(document)) throw configError(`config file ${file} must hold a map of settings`, { file });
  const values: Partial<Record<AnchorSettingKey, RawValue>> = {};
  let chains: Partial<Record<ChainSettingKey, RawWithWhere>>[] | undefined;
  const visit = (node: Readonly<Record<string, unknown>>, prefix: string): void => {
    for (const [name, value] of Object.entries(node)) {
      const dotted = prefix === '' ? name : `${prefix}.${name}`;
      if (dotted === 'chains') {
        if (!Array.isArray(value)) throw configError(`config file ${file}: chains must be a list`, { file });
        chains = value.map((entry, index) => chainEntry(entry, index, file));
        continue;
      }
      const key = KEY_BY_FILE_PATH.get(dotted);
      if (key !== undefined) {
        if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
          throw configError(`config file ${file}: key ${dotted} must be a text or a number`, { file, key: dotted });
        }
        values[key] = value;
      } else if (isPlainObject(value) && [...KEY_BY_FILE_PATH.keys()].some((known) => known.startsWith(`${dotted}.`))) {
        visit(value, dotted);
      } else {
        throw configError(`config file ${file}: unknown key ${dotted} (known keys: ${[...KEY_BY_FILE_PATH.keys(), 'chains'].join(', ')})`, {
          file,
          key: dotted,
        });
      }
    }
  };
  visit(document, '');
  return chains === undefined ? { file, values } : { file, values, chains };
}

function chainEntry(entry: unknown, index: number, file: string): Partial<Record<ChainSettingKey, RawWithWhere>> {
  if (!isPlainObject(entry)) throw configError(`config file ${file}: chains[${index}] must be a map`, { file });
  const result: Partial<Record<ChainSettingKey, RawWithWhere>> = {};
  for (const [name, value] of Object.entries(entry)) {
    const key = CHAIN_KEY_BY_FILE_NAME.get(name);
    if (key === undefined) {
      throw configError(`config file ${file}: unknown key chains[${index}].${name} (known keys: ${[...CHAIN_KEY_BY_FILE_NAME.keys()].join(', ')})`, {
        file,
        key: `chains[${index}].${name}`,
      });
    }
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
      throw configError(`config file ${file}: chains[${index}].${name} must be a text or a number`, { file });
    }
    result[key] = { value, where: `${file}: chains[${index}].${name}` };
  }
  return result;
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** For `--help` and docs: `--flag` / `ENV` / `file key`: description. */
export function describeAnchorSettings(): readonly string[] {
  return ANCHOR_SETTING_KEYS.map((key) => {
    const spec = ANCHOR_SETTINGS[key];
    return `--${spec.flag} / ${spec.env} / ${spec.file}: ${spec.description}`;
  });
}

export type { AnchorSettingKey };
