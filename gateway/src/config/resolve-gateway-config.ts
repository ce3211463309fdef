/**
 * Resolves the gateway's configuration from its four sources, with the precedence
 * flag > environment (`TRIALGATE_*`) > config file > default, and validates it once. The result is plain data
 * the rest of the gateway trusts.
 *
 * Relative paths are resolved against the working directory for flags and environment variables, and
 * against the config file's own directory for values from the file, so a config file can sit beside its
 * data directory and certificates.
 */
import path from 'node:path';
import { ConfigError } from './config-error.js';
import { SETTINGS, SETTING_KEYS, type SettingKey } from './config-settings.js';
import { DEFAULT_GATEWAY_LIMITS, type GatewayConfig, type LogLevel } from './gateway-config.js';
import { parseSerialPortSpecs } from '../serial/serial-port-spec.js';
import { parseSettingValue, type SettingValue } from './parse-setting-value.js';
import { readConfigFile } from './read-config-file.js';

export type SettingSource = 'flag' | 'env' | 'file' | 'default';

export interface ResolveGatewayConfigParameters {
  /** Parsed flags keyed by setting (commander's camelCase names); undefined when not given. */
  readonly flags?: Readonly<Partial<Record<SettingKey, string | number | undefined>>>;
  /** `--config FILE`; falls back to `TRIALGATE_CONFIG`. */
  readonly configFile?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Base for relative paths from flags and environment. */
  readonly cwd: string;
  /** Cores available, the default number of verify workers. */
  readonly cores: number;
}

export interface ResolveGatewayConfigReturnType {
  readonly config: GatewayConfig;
  /** Where each setting's value came from (for `--print-config` and for error messages). */
  readonly sources: Readonly<Record<SettingKey, SettingSource>>;
  /** The config file read, if any. */
  readonly configFile: string | null;
}

export const CONFIG_FILE_ENV = 'TRIALGATE_CONFIG';

const DEFAULTS: Readonly<Partial<Record<SettingKey, SettingValue>>> = {
  mqttHost: '0.0.0.0',
  mqttPort: 1883,
  mqttTlsPort: 8883,
  mqttWsPath: '/mqtt',
  httpHost: '127.0.0.1',
  httpPort: 8080,
  redis: null,
  queuePrefix: 'bull',
  checkpointInterval: 10_000,
  checkpointEntries: 10_000,
  clockSkewTolerance: 300_000,
  maxMessageBytes: 16 * 1024,
  logLevel: 'info',
  serial: null,
  ble: 'off',
  deviceRate: DEFAULT_GATEWAY_LIMITS.deviceRatePerSecond,
  mqttConnectRate: DEFAULT_GATEWAY_LIMITS.mqttConnectRatePerSecond,
  mqttMaxConnecting: DEFAULT_GATEWAY_LIMITS.mqttMaxConnecting,
  mqttDrainTimeout: DEFAULT_GATEWAY_LIMITS.mqttDrainTimeoutMs,
};

export function resolveGatewayConfig(parameters: ResolveGatewayConfigParameters): ResolveGatewayConfigReturnType {
  const env = parameters.env ?? {};
  const flags = parameters.flags ?? {};
  const configFileName = parameters.configFile ?? nonEmpty(env[CONFIG_FILE_ENV]);
  const file = configFileName === undefined ? null : readConfigFile(path.resolve(parameters.cwd, configFileName));

  const values = new Map<SettingKey, string | number | null>();
  const sources = {} as Record<SettingKey, SettingSource>;
  for (const key of SETTING_KEYS) {
    const spec = SETTINGS[key];
    const flagValue = flags[key];
    const envValue = nonEmpty(env[spec.env]);
    const fileValue = file?.values[key];
    let value: string | number | null | undefined;
    if (flagValue !== undefined) {
      value = parseSettingValue(spec.kind, flagValue, `--${spec.flag}`);
      sources[key] = 'flag';
      value = absolutise(spec.kind, value, parameters.cwd);
    } else if (envValue !== undefined) {
      value = parseSettingValue(spec.kind, envValue, spec.env);
      sources[key] = 'env';
      value = absolutise(spec.kind, value, parameters.cwd);
    } else if (fileValue !== undefined && file !== null) {
      value = parseSettingValue(spec.kind, fileValue, `${spec.file} in ${file.file}`);
      sources[key] = 'file';
      value = absolutise(spec.kind, value, path.dirname(file.file));
    } else {
      value = key === 'verifyWorkers' ? Math.max(1, parameters.cores) : DEFAULTS[key];
      sources[key] = 'default';
    }
    if (value !== undefined) values.set(key, value);
  }

  const text = (key: SettingKey): string | null => {
    const value = values.get(key);
    return typeof value === 'string' ? value : null;
  };
  const number = (key: SettingKey): number => {
    const value = values.get(key);
    if (typeof value !== 'number') throw new Error(`internal: setting ${key} has no number default`);
    return value;
  };
  const required = (key: SettingKey): string => {
    const value = text(key);
    if (value === null) {
      const spec = SETTINGS[key];
      throw new ConfigError(
        'E_CONFIG_MISSING',
        `${spec.description.replace(/ \(required\)$/, '')} is required: pass --${spec.flag}, set ${spec.env} or the config-file key ${spec.file}`,
        { details: { setting: key } },
      );
    }
    return value;
  };
  const describe = (key: SettingKey): string => `--${SETTINGS[key].flag} (${SETTINGS[key].env}, ${SETTINGS[key].file})`;

  const mqttHost = required('mqttHost');
  const tlsCert = text('mqttTlsCert');
  const tlsKey = text('mqttTlsKey');
  if (tlsCert === null) {
    for (const key of ['mqttTlsKey', 'mqttTlsCa', 'mqttTlsHost'] as const) {
      if (sources[key] !== 'default') {
        throw new ConfigError('E_CONFIG_INVALID', `${describe(key)} needs ${describe('mqttTlsCert')}, which enables the TLS listener`, {
          details: { setting: key },
        });
      }
    }
    if (sources.mqttTlsPort !== 'default') {
      throw new ConfigError('E_CONFIG_INVALID', `${describe('mqttTlsPort')} needs ${describe('mqttTlsCert')}, which enables the TLS listener`, {
        details: { setting: 'mqttTlsPort' },
      });
    }
  } else if (tlsKey === null) {
    throw new ConfigError('E_CONFIG_MISSING', `the MQTT TLS listener needs its private key: ${describe('mqttTlsKey')}`, {
      details: { setting: 'mqttTlsKey' },
    });
  }
  const wsPort = values.get('mqttWsPort');
  if (typeof wsPort !== 'number') {
    for (const key of ['mqttWsHost', 'mqttWsPath'] as const) {
      if (sources[key] !== 'default') {
        throw new ConfigError('E_CONFIG_INVALID', `${describe(key)} needs ${describe('mqttWsPort')}, which enables the WebSocket listener`, {
          details: { setting: key },
        });
      }
    }
  }
  const wsPath = required('mqttWsPath');
  if (!wsPath.startsWith('/')) {
    throw new ConfigError('E_CONFIG_INVALID', `${describe('mqttWsPath')} must start with "/"`, { details: { setting: 'mqttWsPath' } });
  }
  if (number('checkpointEntries') < 1) {
    throw new ConfigError('E_CONFIG_INVALID', `${describe('checkpointEntries')} must be at least 1`, { details: { setting: 'checkpointEntries' } });
  }
  if (number('checkpointInterval') < 100) {
    throw new ConfigError('E_CONFIG_INVALID', `${describe('checkpointInterval')} must be at least 100ms`, { details: { setting: 'checkpointInterval' } });
  }
  if (number('verifyWorkers') > 64) {
    throw new ConfigError('E_CONFIG_INVALID', `${describe('verifyWorkers')} must be at most 64`, { details: { setting: 'verifyWorkers' } });
  }

  const config: GatewayConfig = {
    dataDir: required('data'),
    origin: required('origin'),
    mqtt: {
      host: mqttHost,
      port: number('mqttPort'),
      tls:
        tlsCert === null || tlsKey === null
          ? null
          : {
              host: text('mqttTlsHost') ?? mqttHost,
              port: number('mqttTlsPort'),
              certFile: tlsCert,
              keyFile: tlsKey,
              caFile: text('mqttTlsCa'),
            },
      ws: typeof wsPort === 'number' ? { host: text('mqttWsHost') ?? mqttHost, port: wsPort, path: wsPath } : null,
    },
    http: { host: required('httpHost'), port: number('httpPort') },
    redisUrl: text('redis'),
    queuePrefix: required('queuePrefix'),
    checkpoint: { intervalMs: number('checkpointInterval'), maxEntries: number('checkpointEntries') },
    clockSkewToleranceMs: number('clockSkewTolerance'),
    maxMessageBytes: number('maxMessageBytes'),
    verifyWorkers: number('verifyWorkers'),
    logLevel: required('logLevel') as LogLevel,
    ...serialAndBle(text('serial'), text('ble')),
    limits: {
      deviceRatePerSecond: number('deviceRate'),
      mqttConnectRatePerSecond: number('mqttConnectRate'),
      mqttMaxConnecting: number('mqttMaxConnecting'),
      mqttDrainTimeoutMs: number('mqttDrainTimeout'),
    },
  };
  return { config, sources, configFile: file?.file ?? null };
}

/** Issue 6: present only when used, so a configuration without serial lines or BLE reads as before. */
function serialAndBle(serial: string | null, ble: string | null): Pick<GatewayConfig, 'serial' | 'ble'> {
  const ports = parseSerialPortSpecs((serial ?? '').split(',').filter((p) => p !== ''));
  return { ...(ports.length === 0 ? {} : { serial: ports }), ...(ble === 'on' ? { ble: true } : {}) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function absolutise(kind: string, value: string | number | null, base: string): string | number | null {
  return kind === 'path' && typeof value === 'string' ? path.resolve(base, value) : value;
}
