/**
 * Issue 4, done when: a bundle exported after anchoring verifies with `trialgate verify --rpc URL` against the
 * anvil chain (sender, input, status, finality), and a bundle whose anchor points at a transaction without
 * the digest fails. Real processes throughout: `trialgate gateway` (checkpoints to Redis), `trialgate anchor`
 * (gateway key pinned), `trialgate export`, `trialgate verify`. Spawns the built CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrivateKeySigner } from '../chain/anchor-transaction.js';
import { startAnvil } from '../testing/anvil-process.js';
import { eventually, startMiner } from '../testing/anchor-test-harness.js';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from '../testing/redis-test-prefix.js';

const CLI = fileURLToPath(new URL('../../../cli/bin/trialgate.js', import.meta.url));
const CLI_BUILT = existsSync(fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url)));
const ORIGIN = 'trial.example/site-e2e/gw-1';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function daemon(args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });
  return { child, output: () => output };
}

function devicePublicKey(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
}

describe.skipIf(!CLI_BUILT)('gateway -> anchor -> export -> verify, real processes', () => {
  it('a bundle exported after anchoring verifies with trialgate verify --rpc; one whose anchor lacks the digest fails', async () => {
    const anvil = await startAnvil({ slotsInAnEpoch: 1 });
    const miner = startMiner(anvil, 200);
    const prefix = uniqueTestPrefix('e2e-gw');
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-anchor-gw-e2e-'));
    cleanups.push(
      () => anvil.stop(),
      () => miner.stop(),
      () => deleteKeysWithPrefix(SHARED_REDIS_URL, prefix),
      async () => rmSync(dir, { recursive: true, force: true }),
    );
    const data = path.join(dir, 'data');

    const gateway = daemon([
      'gateway', '--data', data, '--origin', ORIGIN, '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-port', '0',
      '--redis', SHARED_REDIS_URL, '--queue-prefix', prefix, '--checkpoint-interval', '500ms', '--log-level', 'warn',
    ]);
    await eventually(() => gateway.output().includes('listening on'), 30_000, 'the gateway listening');
    for (const id of ['WR-0001', 'CUFF-0002']) {
      const added = await run(['devices', 'add', '--data', data, '--id', id, '--public-key', devicePublicKey(), '--kind', 'wearable']);
      expect(added.code, added.stderr).toBe(0);
    }
    const shown = await run(['keys', 'show', '--data', data]);
    const gatewayKey = shown.stdout.trim().split('\n').at(-1) ?? '';
    expect(gatewayKey.startsWith(`${ORIGIN}+`)).toBe(true);

    const keyFile = path.join(dir, 'anchor.key');
    writeFileSync(keyFile, `${anvil.accounts[1]?.privateKey ?? ''}\n`, { mode: 0o600 });
    const anchor = daemon([
      'anchor', '--redis', SHARED_REDIS_URL, '--queue-prefix', prefix, '--rpc', anvil.url, '--key-file', keyFile,
      '--chain-id', '31337', '--gateway-key', gatewayKey, '--min-interval', '0', '--poll-interval', '200ms',
    ]);

    // Export until the bundle's checkpoint has a final anchor (the gateway stores the anchor service's results).
    const bundleFile = path.join(dir, 'bundle.json');
    await eventually(
      async () => {
        const exported = await run(['export', '--data', data, '--out', bundleFile, '--json']);
        if (exported.code !== 0) return false;
        const summary = JSON.parse(exported.stdout) as { finalAnchors: number; notYetCheckpointed: number; entries: number };
        return summary.finalAnchors >= 1 && summary.notYetCheckpointed === 0 && summary.entries >= 2;
      },
      60_000,
      'an exported bundle with a final anchor',
    );
    expect(anchor.output()).toContain('anchoring from');

    const verified = await run(['verify', bundleFile, '--rpc', anvil.url, '--gateway-key', gatewayKey]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/anchors? verified final on chain 31337/);

    // Point every anchor at a transaction of the same sender whose input does not hold the digest.
    const sender = createPrivateKeySigner(anvil.accounts[1]?.privateKey ?? '0x');
    const nonce = Number(await anvil.request<string>('eth_getTransactionCount', [sender.address, 'pending']));
    const other = await sender.sign({
      type: 'eip1559', chainId: 31337, nonce, to: sender.address, value: 0n, data: `0x${'00'.repeat(32)}`,
      gas: 60_000n, maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n,
    });
    await anvil.request('eth_sendRawTransaction', [other.serialized]);
    const receipt = await eventually(
      () => anvil.request<{ blockNumber: string } | null>('eth_getTransactionReceipt', [other.hash]).then((value) => value ?? undefined),
      20_000,
      'the other transaction mined',
    );
    await anvil.request('anvil_mine', ['0x4']);
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as {
      checkpoints: { anchors: { tx_hash: string; block_number: number }[] }[];
    };
    for (const checkpoint of bundle.checkpoints) {
      for (const claim of checkpoint.anchors) {
        claim.tx_hash = other.hash;
        claim.block_number = Number(receipt.blockNumber);
      }
    }
    const tamperedFile = path.join(dir, 'tampered.json');
    writeFileSync(tamperedFile, JSON.stringify(bundle));
    const refused = await run(['verify', tamperedFile, '--rpc', anvil.url, '--gateway-key', gatewayKey]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stdout).toMatch(/E_ANCHOR_DIGEST|does not contain the checkpoint digest/);
  });
});
