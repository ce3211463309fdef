import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeDeviceMessage } from '@trialgate/firmware-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { TestBroker } from '@trialgate/device-sim/testing';

// Spawns the built CLI (`npx tsc -b` first), as a site would run it.
const bin = fileURLToPath(new URL('../../bin/trialgate.js', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ broker: TestBroker; state: string }> {
  const broker = await TestBroker.start();
  cleanups.push(() => broker.stop());
  const state = await mkdtemp(join(tmpdir(), 'tg-sim-cli-'));
  cleanups.push(() => rm(state, { recursive: true, force: true }));
  return { broker, state };
}

async function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

function seqsByDevice(broker: TestBroker): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of broker.received) {
    const seq = decodeDeviceMessage(p.bytes).payload.seq;
    out.set(p.clientId, [...(out.get(p.clientId) ?? []), seq]);
  }
  return out;
}

describe('trialgate sim (spawned CLI)', () => {
  it('provisions a fleet, runs load mode and prints the achieved rate and PUBACK latency percentiles', async () => {
    const { broker, state } = await setup();
    const provision = spawnSync(process.execPath, [bin, 'sim', 'provision', '--state', state, '--devices', '5', '--seed', '4'], { encoding: 'utf8' });
    expect(provision.status, provision.stderr).toBe(0);
    const lines = (await readFile(join(state, 'devices.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(Object.keys(JSON.parse(lines[0]!) as object)).toEqual(['id', 'public_key', 'kind', 'subject']);
    const record = join(state, 'record.jsonl');
    const { code, stdout, stderr } = await runCli(['sim', '--broker', broker.url, '--state', state, '--rate', '200/s', '--duration', '1.5', '--record', record, '--progress', '0.5']);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/achieved rate: +[0-9.]+ acknowledged\/s \(offered 200\/s\)/);
    expect(stdout).toMatch(/PUBACK latency: p50 [0-9.]+ ms {2}p90 [0-9.]+ ms {2}p99 [0-9.]+ ms {2}max [0-9.]+ ms/);
    expect(stderr).toMatch(/online, [0-9]+ acked of [0-9]+/);
    const records = (await readFile(record, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { outcome: string; kind: string });
    expect(records.length).toBeGreaterThan(200);
    expect(records.every((r) => r.kind === 'valid' && r.outcome === 'acked')).toBe(true);
  });

  it('provision is idempotent with the same parameters and refuses clearly with others', async () => {
    const state = await mkdtemp(join(tmpdir(), 'tg-sim-provision-'));
    cleanups.push(() => rm(state, { recursive: true, force: true }));
    const provision = (...extra: string[]) => spawnSync(process.execPath, [bin, 'sim', 'provision', '--state', state, '--devices', '4', '--seed', '3', ...extra], { encoding: 'utf8' });
    expect(provision().status).toBe(0);
    const fleetFile = await readFile(join(state, 'fleet.json'), 'utf8');
    const again = provision();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/4 devices already in .* \(unchanged\)/);
    expect(await readFile(join(state, 'fleet.json'), 'utf8')).toBe(fleetFile);
    // The import file is written again when it is gone.
    await rm(join(state, 'devices.jsonl'));
    expect(provision().status).toBe(0);
    expect((await readFile(join(state, 'devices.jsonl'), 'utf8')).trimEnd().split('\n')).toHaveLength(4);
    const other = provision('--id-prefix', 'OTHER');
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/already holds another fleet \(4 devices, seed 3\).*use another --state/);
    expect(spawnSync(process.execPath, [bin, 'sim', 'provision', '--state', state, '--devices', '5', '--seed', '3'], { encoding: 'utf8' }).status).toBe(2);
    expect(await readFile(join(state, 'fleet.json'), 'utf8')).toBe(fleetFile);
  });

  it('after kill -9 mid-run, the next run resends what was not acknowledged and no seq is reused or skipped', async () => {
    const { broker, state } = await setup();
    const args = ['sim', '--broker', broker.url, '--state', state, '--devices', '6', '--rate', '300/s'];
    const first = spawn(process.execPath, [bin, ...args, '--duration', '30']);
    await broker.waitFor(() => broker.received.length > 300, 20_000, 'the first run to publish');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.on('close', resolve));
    // Spawned asynchronously: the broker runs in this process and must keep answering.
    const second = await runCli([...args, '--duration', '1']);
    expect(second.code, second.stderr).toBe(0);
    for (const [device, seqs] of seqsByDevice(broker)) {
      // A message received but not acknowledged before the kill is sent again (the gateway would acknowledge
      // the identical bytes without logging them twice); otherwise every seq from 1 appears, none skipped.
      const distinct = [...new Set(seqs)].sort((a, b) => a - b);
      expect(distinct, device).toEqual(Array.from({ length: distinct.length }, (_, i) => i + 1));
    }
  });

  it('refuses bad options with exit code 2', () => {
    const result = spawnSync(process.execPath, [bin, 'sim', '--rate', 'fast', '--state', join(tmpdir(), 'tg-never')], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--rate');
  });
});
