import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { SETTINGS, SETTING_KEYS } from './config-settings.js';
import { resolveGatewayConfig } from './resolve-gateway-config.js';

const base = { cwd: '/srv', cores: 2 } as const;

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-config-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.code;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveGatewayConfig', () => {
  it('fills defaults around the two required settings', () => {
    const { config, sources } = resolveGatewayConfig({ ...base, flags: { data: 'data', origin: 'trial.example/site-1/gw-1' } });
    expect(config).toEqual({
      dataDir: '/srv/data',
      origin: 'trial.example/site-1/gw-1',
      mqtt: { host: '0.0.0.0', port: 1883, tls: null, ws: null },
      http: { host: '127.0.0.1', port: 8080 },
      redisUrl: null,
      queuePrefix: 'bull',
      checkpoint: { intervalMs: 10_000, maxEntries: 10_000 },
      clockSkewToleranceMs: 300_000,
      maxMessageBytes: 16_384,
      verifyWorkers: 2,
      logLevel: 'info',
      limits: { deviceRatePerSecond: 200, mqttConnectRatePerSecond: 200, mqttMaxConnecting: 2000, mqttDrainTimeoutMs: 60_000 },
    });
    expect(sources.data).toBe('flag');
    expect(sources.mqttPort).toBe('default');
  });

  it('applies flag > environment > file > default, per setting', () => {
    const file = tempFile('gw.yaml', 'origin: from.file/o\ndata: ./d\nmqtt:\n  port: 1000\nhttp:\n  port: 2000\nredis: redis://file:6379\n');
    const { config, sources } = resolveGatewayConfig({
      ...base,
      configFile: file,
      env: { TRIALGATE_MQTT_PORT: '3000', TRIALGATE_HTTP_PORT: '4000' },
      flags: { httpPort: '5000' },
    });
    expect(config.mqtt.port).toBe(3000);
    expect(config.http.port).toBe(5000);
    expect(config.redisUrl).toBe('redis://file:6379');
    expect(config.origin).toBe('from.file/o');
    // Relative paths in a file are relative to the file.
    expect(config.dataDir).toBe(path.join(path.dirname(file), 'd'));
    expect(sources).toMatchObject({ mqttPort: 'env', httpPort: 'flag', redis: 'file', logLevel: 'default' });
  });

  it('reads JSON config files and TRIALGATE_CONFIG', () => {
    const file = tempFile('gw.json', JSON.stringify({ data: '/d', origin: 'o.example/x', checkpoint: { interval: '30s', entries: 50 } }));
    const { config, configFile } = resolveGatewayConfig({ ...base, env: { TRIALGATE_CONFIG: file } });
    expect(configFile).toBe(file);
    expect(config.checkpoint).toEqual({ intervalMs: 30_000, maxEntries: 50 });
  });

  it('parses durations and sizes with units', () => {
    const { config } = resolveGatewayConfig({
      ...base,
      flags: { data: '/d', origin: 'o', clockSkewTolerance: '2m', maxMessageBytes: '4KiB', checkpointInterval: '1500ms' },
    });
    expect(config.clockSkewToleranceMs).toBe(120_000);
    expect(config.maxMessageBytes).toBe(4096);
    expect(config.checkpoint.intervalMs).toBe(1500);
  });

  it('parses the overload limits (issue 7): rates per second or minute, 0 turns a limit off', () => {
    const { config } = resolveGatewayConfig({
      ...base,
      flags: { data: '/d', origin: 'o', deviceRate: '600/min', mqttConnectRate: '0', mqttMaxConnecting: '50', mqttDrainTimeout: '5s' },
      env: { TRIALGATE_DEVICE_RATE: '1/s' },
    });
    expect(config.limits).toEqual({ deviceRatePerSecond: 10, mqttConnectRatePerSecond: 0, mqttMaxConnecting: 50, mqttDrainTimeoutMs: 5000 });
    const file = tempFile('gw.yaml', 'data: /d\norigin: o\nlimits:\n  deviceRate: 20/s\n  mqttConnectRate: 2.5\n');
    expect(resolveGatewayConfig({ ...base, configFile: file }).config.limits).toMatchObject({ deviceRatePerSecond: 20, mqttConnectRatePerSecond: 2.5 });
    for (const bad of ['fast', '-1/s', '10/week', '2000000/s']) {
      expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { data: '/d', origin: 'o', deviceRate: bad } })), bad).toBe('E_CONFIG_INVALID');
    }
  });

  it('enables the TLS and WebSocket listeners only when configured, with their defaults', () => {
    const { config } = resolveGatewayConfig({
      ...base,
      flags: { data: '/d', origin: 'o', mqttTlsCert: 'c.pem', mqttTlsKey: 'k.pem', mqttWsPort: '9001', mqttHost: '10.0.0.2' },
    });
    expect(config.mqtt.tls).toEqual({ host: '10.0.0.2', port: 8883, certFile: '/srv/c.pem', keyFile: '/srv/k.pem', caFile: null });
    expect(config.mqtt.ws).toEqual({ host: '10.0.0.2', port: 9001, path: '/mqtt' });
  });

  it('names the missing setting and its three spellings', () => {
    expect(() => resolveGatewayConfig({ ...base, flags: { data: '/d' } })).toThrow(/--origin, set TRIALGATE_ORIGIN or the config-file key origin/);
    expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { origin: 'o' } }))).toBe('E_CONFIG_MISSING');
  });

  it('refuses bad values with the source that gave them', () => {
    const ok = { data: '/d', origin: 'o' };
    expect(() => resolveGatewayConfig({ ...base, flags: { ...ok, mqttPort: '70000' } })).toThrow(/--mqtt-port: "70000" is not a port/);
    expect(() => resolveGatewayConfig({ ...base, flags: ok, env: { TRIALGATE_CHECKPOINT_INTERVAL: 'soon' } })).toThrow(
      /TRIALGATE_CHECKPOINT_INTERVAL: "soon" is not a duration/,
    );
    expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { data: '/d', origin: 'has space' } }))).toBe('E_CONFIG_INVALID');
    expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { data: '/d', origin: 'a+b' } }))).toBe('E_CONFIG_INVALID');
    expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { ...ok, redis: 'http://x' } }))).toBe('E_CONFIG_INVALID');
    expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { ...ok, logLevel: 'loud' } }))).toBe('E_CONFIG_INVALID');
    expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { ...ok, mqttTlsKey: 'k.pem' } }))).toBe('E_CONFIG_INVALID');
    expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { ...ok, mqttTlsCert: 'c.pem' } }))).toBe('E_CONFIG_MISSING');
    expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { ...ok, checkpointEntries: '0' } }))).toBe('E_CONFIG_INVALID');
    expect(codeOf(() => resolveGatewayConfig({ ...base, flags: { ...ok, maxMessageBytes: '10' } }))).toBe('E_CONFIG_INVALID');
  });

  it('refuses unknown config-file keys and unparseable files', () => {
    const typo = tempFile('gw.yaml', 'data: /d\norigin: o\nmqtt:\n  prot: 1\n');
    expect(() => resolveGatewayConfig({ ...base, configFile: typo })).toThrow(/unknown key mqtt.prot/);
    const broken = tempFile('gw.yaml', 'data: [\n');
    expect(codeOf(() => resolveGatewayConfig({ ...base, configFile: broken }))).toBe('E_CONFIG_FILE');
    expect(codeOf(() => resolveGatewayConfig({ ...base, configFile: '/nonexistent/gw.yaml' }))).toBe('E_CONFIG_FILE');
    const list = tempFile('gw.yaml', '- 1\n');
    expect(codeOf(() => resolveGatewayConfig({ ...base, configFile: list }))).toBe('E_CONFIG_FILE');
  });

  it('treats an empty or "none" Redis URL as no Redis', () => {
    const { config, sources } = resolveGatewayConfig({ ...base, flags: { data: '/d', origin: 'o' }, env: { TRIALGATE_REDIS: 'none' } });
    expect(config.redisUrl).toBeNull();
    expect(sources.redis).toBe('env');
  });
});

describe('docs/gateway.md', () => {
  it('documents every setting under its flag, environment variable and config-file key', () => {
    const doc = readFileSync(new URL('../../../docs/gateway.md', import.meta.url), 'utf8');
    for (const key of SETTING_KEYS) {
      const spec = SETTINGS[key];
      expect(doc, key).toContain(`| \`--${spec.flag}\` | \`${spec.env}\` | \`${spec.file}\` |`);
    }
  });
});
