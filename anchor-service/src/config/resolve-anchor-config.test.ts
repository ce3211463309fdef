import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCheckpointSigner } from '../testing/signed-checkpoint.js';
import { resolveAnchorConfig } from './resolve-anchor-config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tg-anchor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { env: {}, cwd: dir } as const;

describe('resolveAnchorConfig', () => {
  it('builds one chain from the issue-4 flags, with the defaults', () => {
    const { config } = resolveAnchorConfig({
      ...base,
      flags: { redis: 'redis://127.0.0.1:6379', rpc: 'http://127.0.0.1:8545', keyFile: 'key', chainId: '31337', confirmations: '3' },
    });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.key).toEqual({ kind: 'file', path: path.join(dir, 'key') });
    expect(config.chains).toEqual([
      {
        rpcUrl: 'http://127.0.0.1:8545',
        chainId: 31337,
        finality: { kind: 'confirmations', confirmations: 3 },
        maxFeeWei: 10n ** 16n,
        minIntervalMs: 600_000,
        pollIntervalMs: 4000,
        replaceAfterMs: 90_000,
        rebroadcastAfterMs: 60_000,
        rpcTimeoutMs: 10_000,
      },
    ]);
    expect(config.queuePrefix).toBe('bull');
    expect(config.metrics).toBeNull();
  });

  it('uses the finalized tag unless confirmations are given', () => {
    const { config } = resolveAnchorConfig({ ...base, flags: { redis: 'redis://h', rpc: 'https://rpc.example/v2/KEY', keyFile: 'k' } });
    expect(config.chains[0]?.finality).toEqual({ kind: 'finalized' });
    expect(config.chains[0]?.chainId).toBeNull();
  });

  it('takes every flag from its TRIALGATE_* variable, flags winning over variables', () => {
    const env = {
      TRIALGATE_REDIS: 'redis://env',
      TRIALGATE_RPC: 'http://env:8545',
      TRIALGATE_KEY_FILE: '/etc/tg/key',
      TRIALGATE_CHAIN_ID: '11155111',
      TRIALGATE_CONFIRMATIONS: '12',
      TRIALGATE_MAX_FEE: '300000gwei',
      TRIALGATE_MIN_INTERVAL: '1h',
      TRIALGATE_METRICS_PORT: '9464',
    };
    const { config } = resolveAnchorConfig({ env, cwd: dir, flags: { chainId: '1' } });
    expect(config.redisUrl).toBe('redis://env');
    expect(config.key).toEqual({ kind: 'file', path: '/etc/tg/key' });
    expect(config.chains[0]).toMatchObject({ rpcUrl: 'http://env:8545', chainId: 1, maxFeeWei: 300_000n * 10n ** 9n, minIntervalMs: 3_600_000 });
    expect(config.chains[0]?.finality).toEqual({ kind: 'confirmations', confirmations: 12 });
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('reads the key from TRIALGATE_ANCHOR_KEY, and refuses two key sources', () => {
    const env = { TRIALGATE_ANCHOR_KEY: '0xabc' };
    const { config } = resolveAnchorConfig({ env, cwd: dir, flags: { redis: 'redis://h', rpc: 'http://r' } });
    expect(config.key).toEqual({ kind: 'env', name: 'TRIALGATE_ANCHOR_KEY' });
    expect(JSON.stringify(config, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('0xabc');
    expect(() => resolveAnchorConfig({ env, cwd: dir, flags: { redis: 'redis://h', rpc: 'http://r', keyFile: 'k' } })).toThrow(/twice/);
  });

  it('reads a YAML config file with several chains; flags are defaults for every entry', () => {
    const file = path.join(dir, 'anchor.yaml');
    writeFileSync(
      file,
      [
        'redis: redis://file:6379',
        'keyFile: secrets/anchor.key',
        'maxFee: 0.002eth',
        'metrics:',
        '  port: 0',
        'chains:',
        '  - rpc: https://sepolia.example',
        '    chainId: 11155111',
        '  - rpc: https://l2.example',
        '    chainId: 84532',
        '    confirmations: 20',
        '    maxFee: 100000gwei',
        '    minInterval: 1m',
      ].join('\n'),
    );
    const { config, configFile } = resolveAnchorConfig({ ...base, configFile: file, flags: { pollInterval: '2s' } });
    expect(configFile).toBe(file);
    expect(config.key).toEqual({ kind: 'file', path: path.join(dir, 'secrets/anchor.key') });
    expect(config.metrics).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.chains).toHaveLength(2);
    expect(config.chains[0]).toMatchObject({ chainId: 11155111, finality: { kind: 'finalized' }, maxFeeWei: 2n * 10n ** 15n, pollIntervalMs: 2000 });
    expect(config.chains[1]).toMatchObject({
      chainId: 84532,
      finality: { kind: 'confirmations', confirmations: 20 },
      maxFeeWei: 10n ** 14n,
      minIntervalMs: 60_000,
      pollIntervalMs: 2000,
    });
  });

  it('pins gateway verifier keys from --gateway-key (comma-separated) and refuses a malformed one', () => {
    const vkey = 'trial.example/site-042/gw-1+5d8b1a2c+AU6XfJGQ5yLkOg3ZpFt3k8CCaZy6QXEKsQ2pPqhT3v5Z';
    const flags = { redis: 'redis://h', rpc: 'http://r', keyFile: 'k' };
    expect(resolveAnchorConfig({ ...base, flags }).config.gatewayKeys).toEqual([]);
    expect(() => resolveAnchorConfig({ ...base, flags: { ...flags, gatewayKey: 'not-a-key' } })).toThrow(/verifier keys/);
    expect(() => resolveAnchorConfig({ ...base, flags: { ...flags, gatewayKey: vkey } })).toThrow(/verifier keys/); // wrong key id
    const a = createCheckpointSigner('a.example/gw').verifierKey;
    const b = createCheckpointSigner('b.example/gw').verifierKey;
    expect(resolveAnchorConfig({ ...base, flags: { ...flags, gatewayKey: `${a}, ${b}` } }).config.gatewayKeys).toEqual([a, b]);
    expect(resolveAnchorConfig({ ...base, env: { TRIALGATE_GATEWAY_KEY: a }, flags }).config.gatewayKeys).toEqual([a]);
  });

  it('reads pinned gateway keys from @FILE (as trialgate keys show writes it), relative to the working directory or the config file', () => {
    const flags = { redis: 'redis://h', rpc: 'http://r', keyFile: 'k' };
    const a = createCheckpointSigner('a.example/gw').verifierKey;
    const b = createCheckpointSigner('b.example/gw').verifierKey;
    writeFileSync(path.join(dir, 'a.vkey'), `${a}\n`);
    writeFileSync(path.join(dir, 'two.vkey'), `${a}\n${b}\n`);
    expect(resolveAnchorConfig({ ...base, flags: { ...flags, gatewayKey: '@a.vkey' } }).config.gatewayKeys).toEqual([a]);
    expect(resolveAnchorConfig({ ...base, flags: { ...flags, gatewayKey: `@${path.join(dir, 'two.vkey')}` } }).config.gatewayKeys).toEqual([a, b]);
    expect(resolveAnchorConfig({ ...base, env: { TRIALGATE_GATEWAY_KEY: `${b},@a.vkey` }, flags }).config.gatewayKeys).toEqual([b, a]);
    const sub = path.join(dir, 'conf');
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'b.vkey'), b);
    writeFileSync(path.join(sub, 'anchor.yaml'), 'gatewayKeys: "@b.vkey"\n');
    expect(resolveAnchorConfig({ ...base, flags, configFile: path.join('conf', 'anchor.yaml') }).config.gatewayKeys).toEqual([b]);

    const refused = (gatewayKey: string) => () => resolveAnchorConfig({ ...base, flags: { ...flags, gatewayKey } });
    expect(refused('@missing.vkey')).toThrow(/--gateway-key: cannot read the gateway key file .*missing\.vkey/);
    expect(refused('@')).toThrow(/must be followed by the file/);
    writeFileSync(path.join(dir, 'empty.vkey'), '\n');
    expect(refused('@empty.vkey')).toThrow(/is empty/);
    writeFileSync(path.join(dir, 'junk.vkey'), 'not-a-key\n');
    expect(refused('@junk.vkey')).toThrow(/verifier keys/);
  });

  it.each([
    ['a missing Redis URL', { rpc: 'http://r', keyFile: 'k' }, /Redis URL is required/],
    ['a missing RPC URL', { redis: 'redis://h', keyFile: 'k' }, /RPC URL is required/],
    ['a missing key', { redis: 'redis://h', rpc: 'http://r' }, /anchoring key is required/],
    ['a non-http RPC URL', { redis: 'redis://h', rpc: 'ws://r', keyFile: 'k' }, /http\(s\) URL/],
    ['a fractional wei amount', { redis: 'redis://h', rpc: 'http://r', keyFile: 'k', maxFee: '1.5' }, /amount in wei/],
    ['a bad duration', { redis: 'redis://h', rpc: 'http://r', keyFile: 'k', minInterval: 'soon' }, /duration/],
  ])('refuses %s with E_ANCHORING_CONFIG', (_name, flags, message) => {
    expect(() => resolveAnchorConfig({ ...base, flags })).toThrow(expect.objectContaining({ code: 'E_ANCHORING_CONFIG', message: expect.stringMatching(message) }));
  });

  it('refuses unknown config-file keys, and a chain listed twice', () => {
    const typo = path.join(dir, 'typo.yaml');
    writeFileSync(typo, 'redis: redis://h\nconfirmation: 3\n');
    expect(() => resolveAnchorConfig({ ...base, configFile: typo, flags: {} })).toThrow(/unknown key confirmation/);
    const twice = path.join(dir, 'twice.json');
    writeFileSync(twice, JSON.stringify({ redis: 'redis://h', keyFile: 'k', chains: [{ rpc: 'http://a', chainId: 5 }, { rpc: 'http://b', chainId: 5 }] }));
    expect(() => resolveAnchorConfig({ ...base, configFile: twice, flags: {} })).toThrow(/same chainId/);
  });
});
