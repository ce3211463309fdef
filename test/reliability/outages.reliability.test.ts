/**
 * Outages (issue 7), three scenarios run side by side (each mostly waits out its outage):
 *
 * - Redis stopped for 30 s under load (a private redis-server, killed and started again on its port): ingest
 *   goes on at its rate, checkpoints go on being signed and wait in the outbox; afterwards the checkpoints
 *   reach the anchor worker, the newest one (covering the outage) is anchored final, and the outbox drains.
 * - The chain's RPC endpoint down (a fault proxy in front of anvil refusing connections): nothing new becomes
 *   final meanwhile, ingest goes on; afterwards anchoring resumes and covers everything signed meanwhile.
 * - The disk full (the data directory on a small tmpfs, filled by another file): the gateway stops
 *   acknowledging, says why (log line, trialgate_storage_writable, /healthz), keeps what it has, and resumes
 *   when space returns; every acknowledged message is logged exactly once.
 *
 * Each ends with the full log check (support/log-check.ts); the anchored ones with `trialgate export` and
 * `trialgate verify --rpc` against anvil.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, startAnvil, startRpcFaultProxy, uniqueTestPrefix } from '@trialgate/anchor-service/testing';
import { startSimulation } from '@trialgate/device-sim';
import { loadGatewayKey } from '@trialgate/gateway';
import { CLI_BUILT, runCli } from '../e2e/cli-processes.js';
import { AckLedgerStore } from './support/ack-ledger-store.js';
import { largestFinalAnchor, latestCheckpointSize, startAnchorWorker } from './support/anchor-worker.js';
import { killAllGateways, startGatewayProcess } from './support/gateway-process.js';
import { checkLog, describeProblems, logIsSound } from './support/log-check.js';
import { startPrivateRedis } from './support/private-redis.js';
import { RUN_SEED, reportResult, sized, sleep, waitFor } from './support/reliability-run.js';
import { enrolledFleet, quietSimLogger } from './support/site-fleet.js';
import { mountTmpfs } from './support/tmpfs-mount.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  await killAllGateways();
  for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
});

function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `tg-rel-${label}-`));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe.skipIf(!CLI_BUILT)('outages', () => {
  it.concurrent('Redis stopped for 30 s under load: ingest goes on, anchoring catches up afterwards', async ({ expect }) => {
    const outageMs = sized(30_000, 120_000);
    const dir = tempDir('redis');
    mkdirSync(path.join(dir, 'redis'));
    const redis = await startPrivateRedis(path.join(dir, 'redis'));
    cleanups.push(() => redis.close());
    const anvil = await startAnvil({ slotsInAnEpoch: 1, accounts: 1, extraArgs: ['--block-time', '1'] });
    cleanups.push(() => anvil.stop());
    const dataDir = path.join(dir, 'gw');
    const fleet = await enrolledFleet(dataDir, { size: 8, seed: RUN_SEED, idPrefix: 'REDIS' });
    const prefix = uniqueTestPrefix('rel-redis');
    const gateway = await startGatewayProcess({
      dataDir,
      origin: 'reliability.example/site-redis/gw-1',
      args: ['--redis', redis.url, '--queue-prefix', prefix, '--checkpoint-interval', '1s'],
    });
    const gatewayKey = loadGatewayKey(dataDir).verifierKey;
    const worker = await startAnchorWorker({ redisUrl: redis.url, queuePrefix: prefix, rpcUrl: anvil.url, gatewayKey, privateKey: anvil.accounts[0]?.privateKey ?? '' });
    cleanups.push(() => worker.stop());
    const store = new AckLedgerStore();
    const simulation = await startSimulation({ brokerUrl: gateway.mqttUrl, fleet, store, rate: 100, durationMs: 30 * 60_000, keepRecord: false, logger: quietSimLogger() });
    cleanups.push(() => simulation.stop());

    // Before: the whole path works (a checkpoint anchored final), and the ingest rate with Redis up.
    await waitFor(async () => (await largestFinalAnchor(gateway)) > 0, 90_000, 'a first final anchor', 500);
    const baseStart = store.acknowledgedCount;
    await sleep(5_000);
    const ratePerSecondBefore = (store.acknowledgedCount - baseStart) / 5;

    const ackedBefore = store.acknowledgedCount;
    const signedBefore = await gateway.metric('trialgate_checkpoints_signed_total');
    await redis.kill();
    const downAt = performance.now();
    await sleep(outageMs);
    const ackedDuring = store.acknowledgedCount - ackedBefore;
    const signedDuring = (await gateway.metric('trialgate_checkpoints_signed_total')) - signedBefore;
    const backlogAtRestore = await gateway.metric('trialgate_anchor_outbox_backlog');
    const sizeAtRestore = await latestCheckpointSize(gateway);
    const ratePerSecondDuring = ackedDuring / ((performance.now() - downAt) / 1000);
    // Ingest went on (generous bound against the rate measured just before, same run), checkpoints too.
    expect(ratePerSecondDuring, `seed ${RUN_SEED}`).toBeGreaterThan(ratePerSecondBefore * 0.5);
    expect(signedDuring).toBeGreaterThanOrEqual(Math.floor(outageMs / 1000 / 2));
    expect(backlogAtRestore).toBeGreaterThan(0);
    expect(gateway.logs().some((line) => line['msg'] === 'the anchor queue is unreachable; retrying')).toBe(true);

    await redis.start();
    const upAt = performance.now();
    await waitFor(async () => (await largestFinalAnchor(gateway)) >= sizeAtRestore, 120_000, 'a final anchor covering the outage', 500);
    const finalAnchorAfterMs = performance.now() - upAt;
    await waitFor(async () => (await gateway.metric('trialgate_anchor_outbox_backlog')) === 0, 120_000, 'the outbox drained', 500);
    const outboxDrainedAfterMs = performance.now() - upAt;

    const finished = await simulation.stop();
    expect(finished.pending).toBe(0);
    expect(await gateway.stop()).toBe(0);
    const result = await checkLog({ dataDir, gatewayKey, acknowledged: store.acknowledged() });
    expect(logIsSound(result), describeProblems(result)).toBe(true);
    const bundleFile = path.join(dir, 'bundle.json');
    const exported = await runCli(['export', '--data', dataDir, '--out', bundleFile, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const verified = await runCli(['verify', bundleFile, '--rpc', anvil.url, '--gateway-key', gatewayKey]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/anchors? verified final on chain 31337/);
    await deleteKeysWithPrefix(redis.url, prefix).catch(() => undefined);

    reportResult('outage-redis', {
      outageMs,
      ackPerSecondBefore: Math.round(ratePerSecondBefore),
      ackPerSecondDuring: Math.round(ratePerSecondDuring),
      checkpointsSignedDuring: signedDuring,
      outboxBacklogAtRestore: backlogAtRestore,
      finalAnchorCoveringOutageAfterMs: Math.round(finalAnchorAfterMs),
      outboxDrainedAfterMs: Math.round(outboxDrainedAfterMs),
      acknowledged: store.acknowledgedCount,
      logSize: result.size,
    });
  }, sized(300_000, 600_000));

  it.concurrent('the chain RPC endpoint down: anchors wait and resume', async ({ expect }) => {
    const downMs = sized(15_000, 90_000);
    const dir = tempDir('rpc');
    const anvil = await startAnvil({ slotsInAnEpoch: 1, accounts: 1, extraArgs: ['--block-time', '1'] });
    cleanups.push(() => anvil.stop());
    const proxy = await startRpcFaultProxy(anvil.url);
    cleanups.push(() => proxy.close());
    const prefix = uniqueTestPrefix('rel-rpc');
    cleanups.push(() => deleteKeysWithPrefix(SHARED_REDIS_URL, prefix));
    const dataDir = path.join(dir, 'gw');
    const fleet = await enrolledFleet(dataDir, { size: 6, seed: RUN_SEED + 2, idPrefix: 'RPC' });
    const gateway = await startGatewayProcess({
      dataDir,
      origin: 'reliability.example/site-rpc/gw-1',
      args: ['--redis', SHARED_REDIS_URL, '--queue-prefix', prefix, '--checkpoint-interval', '1s'],
    });
    const gatewayKey = loadGatewayKey(dataDir).verifierKey;
    const worker = await startAnchorWorker({ redisUrl: SHARED_REDIS_URL, queuePrefix: prefix, rpcUrl: proxy.url, gatewayKey, privateKey: anvil.accounts[0]?.privateKey ?? '' });
    cleanups.push(() => worker.stop());
    const store = new AckLedgerStore();
    const simulation = await startSimulation({ brokerUrl: gateway.mqttUrl, fleet, store, rate: 50, durationMs: 30 * 60_000, keepRecord: false, logger: quietSimLogger() });
    cleanups.push(() => simulation.stop());

    await waitFor(async () => (await largestFinalAnchor(gateway)) > 0, 90_000, 'a first final anchor', 500);
    await proxy.setFault({ kind: 'down' });
    const sizeAtDown = await latestCheckpointSize(gateway);
    const ackedBefore = store.acknowledgedCount;
    await sleep(downMs);
    // Nothing signed during the outage became final; ingest went on; the worker says it is retrying.
    const finalDuring = await largestFinalAnchor(gateway);
    expect(finalDuring, `seed ${RUN_SEED}`).toBeLessThanOrEqual(sizeAtDown);
    const ackedDuring = store.acknowledgedCount - ackedBefore;
    expect(ackedDuring).toBeGreaterThan((downMs / 1000) * 50 * 0.5);
    expect(worker.output()).toMatch(/RPC call failed; retrying with backoff/);

    const sizeAtRestore = await latestCheckpointSize(gateway);
    await proxy.setFault({ kind: 'none' });
    const upAt = performance.now();
    await waitFor(async () => (await largestFinalAnchor(gateway)) >= sizeAtRestore, 150_000, 'anchoring resumed past the outage', 500);
    const resumedAfterMs = performance.now() - upAt;

    const finished = await simulation.stop();
    expect(finished.pending).toBe(0);
    expect(await gateway.stop()).toBe(0);
    const result = await checkLog({ dataDir, gatewayKey, acknowledged: store.acknowledged() });
    expect(logIsSound(result), describeProblems(result)).toBe(true);
    const bundleFile = path.join(dir, 'bundle.json');
    expect((await runCli(['export', '--data', dataDir, '--out', bundleFile])).code).toBe(0);
    const verified = await runCli(['verify', bundleFile, '--rpc', anvil.url, '--gateway-key', gatewayKey]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    reportResult('outage-rpc', {
      downMs,
      checkpointSizeAtDown: sizeAtDown,
      checkpointSizeAtRestore: sizeAtRestore,
      acknowledgedDuringOutage: ackedDuring,
      anchoredPastOutageAfterMs: Math.round(resumedAfterMs),
      rpcFaultsServed: proxy.faultsServed(),
    });
  }, sized(300_000, 600_000));

  it.concurrent('the disk full: stops acknowledging, says why, keeps what it has, resumes when space returns', async ({ expect, skip }) => {
    const fullForMs = sized(8_000, 75_000);
    const mounted = mountTmpfs('24m');
    if ('skipped' in mounted) {
      console.warn(`disk-full scenario skipped: ${mounted.skipped}`);
      skip();
      return;
    }
    cleanups.push(() => mounted.unmount());
    const dataDir = path.join(mounted.path, 'gw');
    const fleet = await enrolledFleet(dataDir, { size: 6, seed: RUN_SEED + 3, idPrefix: 'FULL' });
    const gateway = await startGatewayProcess({ dataDir, origin: 'reliability.example/site-full/gw-1', args: ['--checkpoint-interval', '500ms'] });
    const gatewayKey = loadGatewayKey(dataDir).verifierKey;
    const store = new AckLedgerStore();
    const simulation = await startSimulation({
      brokerUrl: gateway.mqttUrl,
      fleet,
      store,
      rate: 100,
      durationMs: 30 * 60_000,
      keepRecord: false,
      backoff: { initialMs: 100, maxMs: 1000 },
      logger: quietSimLogger(),
    });
    cleanups.push(() => simulation.stop());
    await waitFor(() => store.acknowledgedCount >= 200, 60_000, '200 acknowledgements', 50);

    // Fill the disk with another file until the file system refuses.
    const filler = path.join(mounted.path, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 0xaa);
    let filled = 0;
    try {
      for (;;) filled += writeSync(fd, chunk);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOSPC') throw error;
    }
    closeSync(fd);
    const fullAt = performance.now();

    // Acknowledgements stop (a few records may still fit in the last page of a file).
    let last = store.acknowledgedCount;
    await waitFor(async () => {
      await sleep(1500);
      const now = store.acknowledgedCount;
      const stalled = now === last;
      last = now;
      return stalled;
    }, 30_000, 'acknowledgements to stop');
    const stoppedAfterMs = performance.now() - fullAt;
    const ackedWhenFull = store.acknowledgedCount;
    await sleep(fullForMs);
    expect(store.acknowledgedCount, 'no acknowledgement while the disk is full').toBe(ackedWhenFull);
    // It says why: /healthz, a gauge, the storage error counter, a log line; and it is still up.
    const health = await gateway.getJson<{ status: string; storage: { writable: boolean; error: string; failures: number } }>('/healthz');
    expect(health).toMatchObject({ status: 'degraded', storage: { writable: false, error: 'E_STORAGE_NO_SPACE' } });
    expect(await gateway.metric('trialgate_storage_writable')).toBe(0);
    expect(await gateway.metric('trialgate_storage_errors_total', { code: 'E_STORAGE_NO_SPACE' })).toBeGreaterThan(0);
    expect(gateway.logs().some((line) => line['event'] === 'storage_not_writable' && line['code'] === 'E_STORAGE_NO_SPACE')).toBe(true);
    expect(gateway.child.exitCode).toBeNull();

    // Space returns: acknowledgements resume by themselves.
    rmSync(filler);
    const freedAt = performance.now();
    await waitFor(() => store.acknowledgedCount >= ackedWhenFull + 100, 60_000, 'acknowledgements to resume', 50);
    const resumedAfterMs = performance.now() - freedAt;
    await waitFor(async () => (await gateway.getJson<{ status: string }>('/healthz')).status === 'ok', 30_000, '/healthz ok again');
    expect(gateway.logs().some((line) => line['event'] === 'storage_writable')).toBe(true);

    const finished = await simulation.stop();
    expect(finished.pending).toBe(0);
    expect(await gateway.stop()).toBe(0);
    const sent = new Map(store.acknowledged().map((m) => [`${m.device}/${m.seq}`, m]));
    const result = await checkLog({ dataDir, gatewayKey, acknowledged: store.acknowledged(), sent });
    expect(logIsSound(result), describeProblems(result)).toBe(true);
    expect(result.deviceMessages).toBe(store.acknowledgedCount);

    reportResult('outage-disk-full', {
      tmpfs: '24m',
      fillerBytes: filled,
      ackedBeforeFull: ackedWhenFull,
      acknowledgementsStoppedAfterMs: Math.round(stoppedAfterMs),
      fullForMs,
      storageFailuresCounted: health.storage.failures,
      resumedAfterMs: Math.round(resumedAfterMs),
      acknowledged: store.acknowledgedCount,
      logSize: result.size,
    });
  }, sized(240_000, 600_000));
});
