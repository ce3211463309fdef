import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '@trialgate/firmware-protocol';
import {
  Checkpointer,
  loadOrCreateGatewayKey,
  openAdmin,
  openLogStore,
  registryProjection,
  systemClock,
} from '@trialgate/gateway';
import { readingEntry, testDeviceSecret } from '../../../gateway/src/storage/testing/test-messages.js';

// Runs the built command (`npx tsc -b` first): export, keys, tokens and checkpoints on a real data directory.
const bin = fileURLToPath(new URL('../../bin/trialgate.js', import.meta.url));
const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

const ORIGIN = 'trial.example/site-7/gw-cli';
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-cli-'));
  const admin = await openAdmin({ dataDir, clock: systemClock, holder: 'test' });
  for (const id of ['wearable-1', 'cuff-2']) {
    await admin.operations.enrollDevice({
      id,
      kind: 'wearable',
      public_key: Buffer.from(ed25519PublicKey(testDeviceSecret(id))).toString('base64'),
    }, 'cli-test');
  }
  await admin.close();
  const store = openLogStore({ dataDir, origin: ORIGIN, projections: [registryProjection] });
  const key = loadOrCreateGatewayKey({ dataDir, origin: ORIGIN });
  const checkpointer = new Checkpointer({ origin: ORIGIN, log: store.log, tree: store.tree, checkpoints: store.checkpoints, key, clock: systemClock });
  for (let seq = 1; seq <= 25; seq++) {
    for (const id of ['wearable-1', 'cuff-2']) {
      const r = readingEntry(id, seq, { receivedAtMs: 1_700_000_000_000 + seq * 60_000 });
      await store.log.append(r.entry, r.claim);
    }
    if (seq === 10) await checkpointer.checkpointNow();
  }
  await checkpointer.stop();
  await store.close();
});

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('trialgate export, keys, tokens, checkpoints (spawned CLI)', () => {
  it('keys show prints the verifier key named after the origin', () => {
    const result = run('keys', 'show', '--data', dataDir);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(loadOrCreateGatewayKey({ dataDir, origin: ORIGIN }).verifierKey);
  });

  it('exports a bundle that trialgate verify accepts, and that fails once tampered with', () => {
    const out = path.join(dataDir, 'bundle.json');
    const exported = run('export', '--data', dataDir, '--out', out);
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    expect(exported.stdout).toContain('52 entries');
    const key = run('keys', 'show', '--data', dataDir).stdout.trim();
    const verified = run('verify', out, '--gateway-key', key);
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    const bundle = JSON.parse(fs.readFileSync(out, 'utf8')) as { entries: { entry: string }[] };
    const bytes = Buffer.from(bundle.entries[7]?.entry ?? '', 'base64');
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 80) ^ 4, bytes.length - 80);
    const tampered = path.join(dataDir, 'tampered.json');
    fs.writeFileSync(tampered, fs.readFileSync(out, 'utf8').replace(bundle.entries[7]?.entry ?? '', bytes.toString('base64')));
    expect(run('verify', tampered, '--gateway-key', key).status).toBe(1);
    // The key pinned from a file, as `trialgate keys show > FILE` writes it; another key fails; no file is unusable.
    const keyFile = path.join(dataDir, 'gateway.vkey');
    fs.writeFileSync(keyFile, `${key}\n`);
    expect(run('verify', out, '--gateway-key', `@${keyFile}`).status).toBe(0);
    fs.writeFileSync(keyFile, `${loadOrCreateGatewayKey({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tg-other-key-')), origin: ORIGIN }).verifierKey}\n`);
    expect(run('verify', out, '--gateway-key', `@${keyFile}`).status).toBe(1);
    const missing = run('verify', out, '--gateway-key', `@${keyFile}.missing`);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/cannot read/);
  });

  it('exports one device in a time range', () => {
    const out = path.join(dataDir, 'cuff.json');
    const result = run(
      'export', '--data', dataDir, '--out', out, '--device', 'cuff-2',
      '--from', new Date(1_700_000_000_000 + 5 * 60_000).toISOString(), '--to', String(1_700_000_000_000 + 15 * 60_000), '--json',
    );
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ entries: 10, devices: 1 });
    expect(run('verify', out).status).toBe(0);
  });

  it('creates, lists and revokes API tokens, showing each token once', () => {
    const created = run('tokens', 'create', '--data', dataDir, '--scope', 'read', '--scope', 'export', '--label', 'sponsor A', '--json');
    expect(created.status, created.stderr).toBe(0);
    const token = JSON.parse(created.stdout) as { id: string; token: string };
    expect(token.token).toMatch(/^tgt_/);
    const listed = run('tokens', 'list', '--data', dataDir);
    expect(listed.stdout).toContain(token.id);
    expect(listed.stdout).toContain('read,export');
    expect(listed.stdout).not.toContain(token.token);
    expect(run('tokens', 'create', '--data', dataDir, '--scope', 'root').status).toBe(1);
    expect(run('tokens', 'revoke', '--data', dataDir, '--id', token.id).status).toBe(0);
    expect(run('tokens', 'revoke', '--data', dataDir, '--id', token.id).status).toBe(1);
  });

  it('lists checkpoints and audits the stored log; an altered entry is named', () => {
    const listed = run('checkpoints', 'list', '--data', dataDir, '--json');
    expect(listed.status).toBe(0);
    expect((JSON.parse(listed.stdout) as { checkpoints: { tree_size: number }[] }).checkpoints.map((c) => c.tree_size)).toEqual([52, 22]);
    const intact = run('checkpoints', 'verify', '--data', dataDir);
    expect(intact.status, intact.stdout + intact.stderr).toBe(0);
    expect(intact.stdout).toContain('intact');
    // A careful forger: entry 30 rewritten with a valid checksum. Only re-hashing can tell.
    const offsets = fs.readFileSync(path.join(dataDir, 'log', 'offsets.idx'));
    const offset = Number(offsets.readBigUInt64BE(30 * 8));
    const segment = path.join(dataDir, 'log', 'entries-000000000000.tglog');
    const bytes = fs.readFileSync(segment);
    const length = bytes.readUInt32BE(offset);
    const at = offset + 4 + length - 10;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 1, at);
    bytes.writeUInt32BE(crc32(bytes.subarray(offset, offset + 4 + length)), offset + 4 + length);
    fs.writeFileSync(segment, bytes);
    const altered = run('checkpoints', 'verify', '--data', dataDir);
    expect(altered.status).toBe(1);
    expect(altered.stdout).toContain('FAIL entry 30');
    expect(altered.stdout).toContain('ALTERED');
  });
});
