/**
 * Issue 5, end to end with real processes: the machine's Redis (a unique queue prefix), a local anvil chain,
 * `trialgate gateway`, `trialgate anchor` (gateway key pinned), `trialgate sim` with every fault kind beside
 * valid traffic, then `trialgate export` and `trialgate verify --rpc`. Protects the whole promise of the
 * project: every valid reading is in the sponsor's bundle exactly once, the bundle verifies with its anchors,
 * and every fault ended where the simulator's record says it should (docs/simulator.md, "Faults"): in
 * quarantine with its reason code, acknowledged as a duplicate, refused at connect, or logged with a clock
 * flag. Nothing else is logged, nothing else quarantined.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnvil } from '@trialgate/anchor-service/testing';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from '@trialgate/anchor-service/testing';
import { FAULT_KINDS, type MessageRecord } from '@trialgate/device-sim';
import { decodeBase64, decodeLogEntry } from '@trialgate/proof-formats';
import { CLI_BUILT, eventually, httpGet, runCli, startCli } from './cli-processes.js';

const ORIGIN = 'trial.example/site-e2e/gw-1';

/** The reason each quarantined fault must carry (the gateway's codes, docs/simulator.md and docs/gateway.md). */
const QUARANTINE_REASON: Readonly<Record<string, string>> = {
  corrupted_bytes: 'E_COSE_SIGNATURE',
  bad_signature: 'E_COSE_SIGNATURE',
  wrong_topic: 'E_TOPIC_OTHER_DEVICE',
  conflicting_seq: 'E_SEQ_CONFLICT',
  oversize: 'E_MESSAGE_TOO_LARGE',
  malformed_cbor: 'E_CBOR_TRUNCATED',
};

interface QuarantineRecord {
  readonly id: number;
  readonly device: string | null;
  readonly source: string | null;
  readonly reason: string;
  readonly original_bytes: number;
  readonly original?: string;
}

interface BundleJson {
  readonly entries: readonly { readonly index: number; readonly entry: string }[];
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!CLI_BUILT)('a simulated site end to end: devices with faults, gateway, Redis, anchor worker, export, verify --rpc', () => {
  it('logs every valid message exactly once, verifies with final anchors, and ends every fault as the simulator expects', async () => {
    const anvil = await startAnvil({ slotsInAnEpoch: 1, accounts: 1, extraArgs: ['--block-time', '1'] });
    const prefix = uniqueTestPrefix('e2e-site');
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-e2e-site-'));
    cleanups.push(
      () => anvil.stop(),
      () => deleteKeysWithPrefix(SHARED_REDIS_URL, prefix),
      async () => rmSync(dir, { recursive: true, force: true }),
    );
    const data = path.join(dir, 'gw');
    const state = path.join(dir, 'sim');
    const recordFile = path.join(dir, 'record.jsonl');
    const bundleFile = path.join(dir, 'bundle.json');
    mkdirSync(data);

    // A fleet of every kind (12 devices cover the default mix), enrolled before the gateway's first start.
    const provisioned = await runCli(['sim', 'provision', '--state', state, '--devices', '12']);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const imported = await runCli(['devices', 'import', '--data', data, path.join(state, 'devices.jsonl')]);
    expect(imported.code, imported.stderr).toBe(0);

    const gateway = startCli([
      'gateway', '--data', data, '--origin', ORIGIN, '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-port', '0',
      '--redis', SHARED_REDIS_URL, '--queue-prefix', prefix, '--checkpoint-interval', '1s', '--log-level', 'warn',
    ]);
    cleanups.push(() => gateway.stop());
    const listening = await eventually(() => /listening on (mqtt:\/\/[^\s,;]+).*?; API (http:\/\/[^\s;]+);/.exec(gateway.output()) ?? undefined, 30_000, 'the gateway listening');
    const [, brokerUrl = '', api = ''] = listening;
    const gatewayKey = (await httpGet(`${api}/key`)).trim();

    const anchor = startCli([
      'anchor', '--redis', SHARED_REDIS_URL, '--queue-prefix', prefix, '--rpc', anvil.url, '--chain-id', '31337',
      '--gateway-key', gatewayKey, '--min-interval', '2s', '--poll-interval', '300ms', '--log-level', 'warn',
    ], { env: { TRIALGATE_ANCHOR_KEY: anvil.accounts[0]?.privateKey ?? '' } });
    cleanups.push(() => anchor.stop());
    await eventually(() => anchor.output().includes('anchoring from'), 30_000, 'the anchor worker started');

    // Valid traffic of every device kind, and every fault kind once.
    const sim = await runCli([
      'sim', '--broker', brokerUrl, '--state', state, '--rate', '40/s', '--duration', '8', '--faults', '--record', recordFile,
      '--gateway-key', gatewayKey, '--json', '--log-level', 'error',
    ], { timeoutMs: 60_000 });
    expect(sim.code, sim.stderr).toBe(0);
    const records = readFileSync(recordFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as MessageRecord);
    expect(new Set(records.filter((r) => r.kind !== 'valid').map((r) => r.kind))).toEqual(new Set(FAULT_KINDS));

    // The final checkpoint covers everything logged, and its anchor becomes final (the gateway hears it over Redis).
    const health = JSON.parse(await httpGet(`${api}/healthz`)) as { tree_size: number };
    await eventually(async () => {
      const list = JSON.parse(await httpGet(`${api}/checkpoints?order=desc&limit=5`)) as {
        checkpoints: { tree_size: number; anchors: { state: string }[] }[];
      };
      return list.checkpoints.some((c) => c.tree_size >= health.tree_size && c.anchors.some((a) => a.state === 'final'));
    }, 45_000, 'a final anchor of the checkpoint covering every entry');

    const exported = await runCli(['export', '--data', data, '--out', bundleFile, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ notYetCheckpointed: 0, devicesWithoutKey: [] });
    const verified = await runCli(['verify', bundleFile, '--rpc', anvil.url, '--gateway-key', gatewayKey]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/anchors? verified final on chain 31337/);

    // What the log holds: each device message by the SHA-256 of its original bytes.
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as BundleJson;
    const logged = new Map<string, number[]>();
    for (const item of bundle.entries) {
      const entry = decodeLogEntry(decodeBase64(item.entry, 'entry'));
      if (entry.contentType !== 'cose-sign1') continue;
      const hash = sha256(entry.original);
      logged.set(hash, [...(logged.get(hash) ?? []), item.index]);
    }
    const quarantine = JSON.parse(
      (await runCli(['quarantine', 'list', '--data', data, '--json', '--original', '--limit', '10000'])).stdout,
    ) as QuarantineRecord[];
    const quarantinedBySha = new Map(
      quarantine.filter((q) => q.original !== undefined && q.original_bytes > 0).map((q) => [sha256(Buffer.from(q.original ?? '', 'base64')), q]),
    );

    // Every valid message (and the clock-skewed one, which is valid too) is logged exactly once.
    const mustBeLogged = records.filter((r) => r.expected === 'logged' || r.expected === 'logged_flagged');
    expect(mustBeLogged.length).toBeGreaterThan(200);
    for (const record of mustBeLogged) {
      expect(record.outcome, `${record.kind} ${record.device} seq ${record.seq}`).toBe('acked');
      expect(logged.get(record.sha256)?.length ?? 0, `${record.kind} ${record.device} seq ${record.seq} logged once`).toBe(1);
    }
    // ...and nothing else from a device is in the log.
    const expectedShas = new Set(mustBeLogged.map((r) => r.sha256));
    expect([...logged.keys()].filter((hash) => !expectedShas.has(hash))).toEqual([]);

    // The clock-skewed reading carries the clock flag (the API computes flags from the entry's bytes).
    const token = (await runCli(['tokens', 'create', '--data', data, '--scope', 'read'])).stdout.trim();
    for (const record of records.filter((r) => r.kind === 'clock_skew')) {
      const index = logged.get(record.sha256)?.[0];
      const entry = JSON.parse(await httpGet(`${api}/entries/${index}`, token)) as { flags: { code: string }[] };
      expect(entry.flags.map((f) => f.code)).toContain('F_CLOCK_SKEW');
    }

    // Each quarantined fault is in quarantine with its reason, and not in the log.
    const quarantinedFaults = records.filter((r) => r.expected === 'quarantined' || r.expected === 'quarantined_and_disconnected');
    for (const record of quarantinedFaults) {
      const found = quarantinedBySha.get(record.sha256);
      expect(found?.reason, `${record.kind} of ${record.device} in quarantine`).toBe(QUARANTINE_REASON[record.kind]);
      expect(logged.has(record.sha256), `${record.kind} not logged`).toBe(false);
      if (record.expected === 'quarantined') expect(record.notice?.code, `${record.kind} notice`).toBe(QUARANTINE_REASON[record.kind]);
    }
    // The unknown device was refused at connect, and that attempt is recorded (21 CFR 11.300(d)).
    const unknown = records.filter((r) => r.kind === 'unknown_device');
    for (const record of unknown) {
      expect(record.outcome).toBe('connect_refused');
      expect(quarantine.some((q) => q.device === record.device && q.reason === 'E_DEVICE_UNKNOWN')).toBe(true);
      expect(logged.has(record.sha256)).toBe(false);
    }
    // A replayed message is acknowledged as a duplicate: logged once (as the original), never quarantined.
    for (const record of records.filter((r) => r.kind === 'replayed_seq')) {
      expect(record.notice).toMatchObject({ code: 'E_SEQ_DUPLICATE', disposition: 'duplicate' });
      expect(logged.get(record.sha256)?.length).toBe(1);
      expect(quarantinedBySha.has(record.sha256)).toBe(false);
    }
    // Nothing else was quarantined: one record per quarantined fault, one per refused unknown device.
    expect(quarantine.length).toBe(quarantinedFaults.length + unknown.length);
  }, 110_000);
});
