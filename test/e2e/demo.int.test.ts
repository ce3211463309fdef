/**
 * `trialgate demo` (issue 5, `npm start`) run for real, as a user would: it exits with verify's status 0,
 * prints the verdict, leaves a bundle that verifies, removes its queue keys from the shared Redis, and leaves
 * no process behind: after a normal end, after Ctrl-C, and when one of its parts dies.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { SHARED_REDIS_URL } from '@trialgate/anchor-service/testing';
import { CLI_BUILT, eventually, runCli, startCli, type CliDaemon } from './cli-processes.js';
import { survivors, watchDemoPids } from './demo-processes.js';

/** A run takes 8-25 s on an idle 2-core machine; CI runs other suites beside it. */
const RUN_TIMEOUT_MS = 110_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

/** A demo in a fresh directory, with its pids watched; stopped (and its leftovers killed) after the test. */
function startDemo(args: readonly string[]): { demo: CliDaemon; out: string; pids: ReturnType<typeof watchDemoPids> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-demo-test-'));
  const out = path.join(dir, 'demo-out');
  // REDIS_URL unset: the demo finds the machine's Redis on 127.0.0.1:6379, as on a developer's machine.
  const demo = startCli(['demo', '--out', out, ...args], { cwd: dir, env: { REDIS_URL: '' } });
  const pids = watchDemoPids(path.join(out, 'processes.json'));
  cleanups.push(async () => {
    pids.stop();
    await demo.stop(5000);
    for (const pid of pids.pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Gone, as it should be.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { demo, out, pids };
}

async function keysWithPrefix(prefix: string): Promise<number> {
  const redis = new Redis(SHARED_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const [, keys] = await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 10_000);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

describe.skipIf(!CLI_BUILT)('trialgate demo', () => {
  it('runs a whole site (with every fault kind) for its duration, exits 0 with the verdict, leaves a bundle that verifies and no process behind', async () => {
    const { demo, out, pids } = startDemo(['--duration', '8', '--devices', '12', '--faults']);
    const { code } = await demo.exited;
    pids.stop();
    const output = demo.output();
    expect(code, output).toBe(0);
    expect(output).toContain('VERDICT: VALID');
    expect(output).toMatch(/anchors? verified final on chain 31337/);
    expect(output).toMatch(/Devices stopped: [\d,]+ readings sent, [\d,]+ acknowledged .*; 9 faults injected/);
    expect(output).toMatch(/\d+ refused messages or connections are kept in the gateway's quarantine/);
    // Every part was recorded (Redis shared: chain, import, gateway, anchor worker, devices, export, verify).
    expect(pids.pids.size).toBeGreaterThanOrEqual(7);
    expect(survivors(pids.pids, out)).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(out, 'processes.json'), 'utf8'))).toMatchObject({ processes: [] });

    // The bundle stands on its own (the chain is gone with the demo: everything but the anchors is checked).
    const offline = await runCli(['verify', path.join(out, 'bundle.json')]);
    expect(offline.code, offline.stdout).toBe(0);
    expect(offline.stdout).toMatch(/entries from 12 devices verified/);
    for (const log of ['anvil', 'gateway', 'anchor', 'devices', 'commands']) {
      expect(readFileSync(path.join(out, 'logs', `${log}.log`), 'utf8').length).toBeGreaterThan(0);
    }
    // This run's queue prefix is gone from the shared Redis.
    const prefix = /queue prefix is (tg-demo-[0-9a-f]+)/.exec(output)?.[1] ?? 'missing';
    expect(await keysWithPrefix(prefix)).toBe(0);
  }, RUN_TIMEOUT_MS);

  it('finishes early on Ctrl-C: the devices stop, the final checkpoint is anchored, the bundle verifies, nothing is left', async () => {
    const { demo, out, pids } = startDemo(['--duration', '600', '--devices', '6', '--rate', '20']);
    await eventually(() => /devices [1-9]\d*\/6 online/.test(demo.output()), 60_000, 'the devices online');
    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    pids.stop();
    const output = demo.output();
    expect(code, output).toBe(0);
    expect(output).toContain('Finishing early');
    expect(output).toContain('VERDICT: VALID');
    expect(survivors(pids.pids, out)).toEqual([]);
  }, RUN_TIMEOUT_MS);

  it('quits at once on a second Ctrl-C (exit 130), still stopping everything it started', async () => {
    const { demo, out, pids } = startDemo(['--duration', '600', '--devices', '4', '--rate', '10']);
    await eventually(() => demo.output().includes('Running for'), 60_000, 'the devices started');
    demo.child.kill('SIGINT');
    await eventually(() => demo.output().includes('Finishing early'), 10_000, 'the first Ctrl-C taken');
    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    pids.stop();
    expect(code, demo.output()).toBe(130);
    expect(demo.output()).toContain('Quitting at once');
    expect(survivors(pids.pids, out)).toEqual([]);
  }, RUN_TIMEOUT_MS);

  it('when a part dies it names it, shows its last log lines and where the logs are, stops the rest and exits 4', async () => {
    const { demo, out, pids } = startDemo(['--duration', '600', '--devices', '4', '--rate', '10']);
    await eventually(() => demo.output().includes('Running for'), 60_000, 'the devices started');
    const table = JSON.parse(readFileSync(path.join(out, 'processes.json'), 'utf8')) as { processes: { name: string; pid: number }[] };
    const gateway = table.processes.find((p) => p.name.startsWith('the gateway'));
    expect(gateway).toBeDefined();
    process.kill(gateway?.pid ?? 0, 'SIGKILL');
    const { code } = await demo.exited;
    pids.stop();
    const output = demo.output();
    expect(code, output).toBe(4);
    expect(output).toContain('the gateway (trialgate gateway) stopped unexpectedly (killed by SIGKILL)');
    expect(output).toContain(`Its last log lines (${path.join(out, 'logs', 'gateway.log')})`);
    expect(output).toContain(`All logs are in ${path.join(out, 'logs')}`);
    expect(survivors(pids.pids, out)).toEqual([]);
  }, RUN_TIMEOUT_MS);

  it('says plainly when the Redis it was told to use does not answer, and exits 4 having started nothing', async () => {
    const { demo, out, pids } = startDemo(['--redis', 'redis://127.0.0.1:1', '--duration', '5']);
    const { code } = await demo.exited;
    pids.stop();
    expect(code, demo.output()).toBe(4);
    expect(demo.output()).toContain('no Redis answered at redis://127.0.0.1:1');
    expect(pids.pids.size).toBe(0);
    expect(survivors([], out)).toEqual([]);
  });
});
