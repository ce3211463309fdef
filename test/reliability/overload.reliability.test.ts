/**
 * Overload (issue 7). A simulated fleet publishes at a steady rate throughout; its acknowledgements (count and
 * latency from storing to PUBACK) in a baseline window are compared with the same windows under each load,
 * in the same run and with generous bounds (shared CI machines), and the gateway's resident memory is sampled
 * the whole time.
 *
 * - 1,000 connection attempts per second for 5 s from another address (127.0.0.2): unknown devices with
 *   garbage tokens, an enrolled device's id with tokens signed by another key, silent sockets. Connections
 *   over `--mqtt-connect-rate` are closed on accept; the rest are refused with CONNACK 5 as before. The fleet
 *   keeps its rate, and a device connecting during the flood from its own address gets in.
 * - A device publishing at 100 times its allowed rate (`--device-rate 20/s`, 2,000/s): its messages wait and
 *   are acknowledged at its rate (back-pressure); what would wait too long is refused unacknowledged and the
 *   connection closed (it resends later). Nothing it saw acknowledged is missing from the log.
 * - Slow consumers (a second gateway with `--mqtt-drain-timeout 5s`): a client that subscribes to its downlink
 *   and never reads its socket while it keeps publishing is disconnected after the drain timeout; a client
 *   that reads slowly is served at its pace and stays connected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulation, type Fleet, type Simulation } from '@trialgate/device-sim';
import { loadGatewayKey } from '@trialgate/gateway';
import { CLI_BUILT } from '../e2e/cli-processes.js';
import { AckLedgerStore } from './support/ack-ledger-store.js';
import { floodConnections } from './support/connection-flood.js';
import { killAllGateways, startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { checkLog, describeProblems, logIsSound } from './support/log-check.js';
import { MIB, sampleResidentMemory } from './support/process-memory.js';
import { floodAsDevice, ledgerMessage, RawMqttConnection, signedReading } from './support/raw-device.js';
import { RUN_SEED, percentile, reportResult, sized, sleep, waitFor } from './support/reliability-run.js';
import { enrolledFleet, quietSimLogger } from './support/site-fleet.js';

const dirs: string[] = [];
const simulations: Simulation[] = [];
afterAll(async () => {
  for (const simulation of simulations) await simulation.stop().catch(() => undefined);
  await killAllGateways();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Generous memory bound: the gateway's resident memory may grow by this much over its idle size. */
const RSS_GROWTH_BOUND = 300 * MIB;

interface Window {
  readonly acknowledged: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The fleet's acknowledgements while `during` runs. */
async function measure(store: AckLedgerStore, during: () => Promise<unknown>): Promise<Window> {
  const from = performance.now();
  await during();
  const to = performance.now();
  const { count, latenciesMs } = store.acknowledgementsBetween(from, to);
  return { acknowledged: count, perSecond: Math.round(count / ((to - from) / 1000)), p50Ms: round(percentile(latenciesMs, 50)), p99Ms: round(percentile(latenciesMs, 99)) };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

async function siteWithFleet(label: string, size: number, args: readonly string[]): Promise<{ dataDir: string; fleet: Fleet; gateway: GatewayProcess; gatewayKey: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), `tg-rel-${label}-`));
  dirs.push(dir);
  const dataDir = path.join(dir, 'gw');
  const fleet = await enrolledFleet(dataDir, { size, seed: RUN_SEED + 5, idPrefix: label.toUpperCase() });
  const gateway = await startGatewayProcess({ dataDir, origin: `reliability.example/site-${label}/gw-1`, args: ['--checkpoint-interval', '1s', ...args] });
  return { dataDir, fleet, gateway, gatewayKey: loadGatewayKey(dataDir).verifierKey };
}

describe.skipIf(!CLI_BUILT)('overload', () => {
  it('sheds a connection flood and slows a device at 100x its rate; the other devices keep their rate and memory stays bounded', async () => {
    const floodMs = sized(5_000, 30_000);
    const site = await siteWithFleet('overload', 12, ['--device-rate', '20/s', '--mqtt-connect-rate', '50/s', '--mqtt-max-connecting', '300']);
    const { gateway } = site;
    const steady: Fleet = { seed: site.fleet.seed, devices: site.fleet.devices.slice(0, 10) };
    const flooder = site.fleet.devices[10];
    const latecomer = site.fleet.devices[11];
    if (flooder === undefined || latecomer === undefined) throw new Error('fleet too small');
    const memory = sampleResidentMemory(gateway.pid);
    const idleBytes = gateway.residentBytes() ?? 0;
    const store = new AckLedgerStore();
    // 10 devices at 10 readings/s each: half their limit.
    const simulation = await startSimulation({ brokerUrl: gateway.mqttUrl, fleet: steady, store, rate: 100, durationMs: 30 * 60_000, keepRecord: false, logger: quietSimLogger() });
    simulations.push(simulation);
    await waitFor(() => store.acknowledgedCount >= 200, 60_000, 'the fleet publishing', 50);

    const baseline = await measure(store, () => sleep(floodMs));

    // 1. The connection flood, and a device connecting in the middle of it.
    let latecomerConnectMs = Number.NaN;
    let flood = null as Awaited<ReturnType<typeof floodConnections>> | null;
    const duringFlood = await measure(store, async () => {
      const flooding = floodConnections({ port: gateway.mqttPort, localAddress: '127.0.0.2', perSecond: 1000, durationMs: floodMs, enrolledDeviceId: steady.devices[0]?.id ?? '' });
      await sleep(floodMs / 2);
      const begun = performance.now();
      const late = await RawMqttConnection.open(gateway.mqttPort, latecomer);
      latecomerConnectMs = performance.now() - begun;
      late.destroy();
      flood = await flooding;
    });
    if (flood === null) throw new Error('no flood result');
    const flooded: Awaited<ReturnType<typeof floodConnections>> = flood;
    const shedRate = await gateway.metric('trialgate_mqtt_connections_shed_total', { reason: 'rate' });
    const shedConnecting = await gateway.metric('trialgate_mqtt_connections_shed_total', { reason: 'connecting' });
    const refusedConnects = await gateway.metric('trialgate_mqtt_connections_refused_total');
    expect(flooded.attempts).toBe(Math.round(floodMs));
    expect(shedRate + shedConnecting).toBeGreaterThan(flooded.attempts / 2);
    expect(flooded.accepted).toBe(0);
    expect(gateway.logs().some((line) => line['event'] === 'connections_shed')).toBe(true);
    expect(Number.isFinite(latecomerConnectMs)).toBe(true);
    await sleep(1_000);

    // 2. One device at 100 times its allowed rate.
    let flooding = null as Awaited<ReturnType<typeof floodAsDevice>> | null;
    const duringDeviceFlood = await measure(store, async () => {
      flooding = await floodAsDevice({ brokerUrl: gateway.mqttUrl, identity: flooder, ratePerSecond: 2_000, durationMs: floodMs, firstSeq: 1 });
    });
    if (flooding === null) throw new Error('no device flood result');
    const deviceFlood: Awaited<ReturnType<typeof floodAsDevice>> = flooding;
    const delayed = await gateway.metric('trialgate_device_rate_limited_total', { action: 'delayed' });
    const refusedOverRate = await gateway.metric('trialgate_device_rate_limited_total', { action: 'refused' });
    expect(delayed).toBeGreaterThan(0);
    expect(gateway.logs().some((line) => line['event'] === 'device_rate_limited' && line['deviceId'] === flooder.id)).toBe(true);
    // Acknowledged at its rate: a burst (2 s worth) per connection plus 20/s, with slack for timing.
    const seconds = floodMs / 1000 + 1;
    expect(deviceFlood.acknowledged.length).toBeLessThanOrEqual(deviceFlood.connections * 40 + 20 * seconds * 1.5 + 40);
    expect(deviceFlood.acknowledged.length).toBeGreaterThan(0);

    await sleep(1_000);
    const finished = await simulation.stop();
    const rss = memory.stop();
    expect(finished.pending).toBe(0);

    // Other devices unaffected: their rate held under both floods (the same windows, same run).
    expect(duringFlood.acknowledged, JSON.stringify({ baseline, duringFlood })).toBeGreaterThan(baseline.acknowledged * 0.8);
    expect(duringDeviceFlood.acknowledged, JSON.stringify({ baseline, duringDeviceFlood })).toBeGreaterThan(baseline.acknowledged * 0.8);
    // Latency: generous bound relative to the baseline (the machine is shared).
    expect(duringFlood.p50Ms).toBeLessThan(baseline.p50Ms * 20 + 500);
    expect(duringDeviceFlood.p50Ms).toBeLessThan(baseline.p50Ms * 20 + 500);
    expect(rss.maxBytes - idleBytes).toBeLessThan(RSS_GROWTH_BOUND);

    expect(await gateway.stop()).toBe(0);
    const acknowledged = [...store.acknowledged(), ...deviceFlood.acknowledged];
    const result = await checkLog({ dataDir: site.dataDir, gatewayKey: site.gatewayKey, acknowledged });
    expect(logIsSound(result), describeProblems(result)).toBe(true);

    reportResult('overload-floods', {
      floodMs,
      baseline,
      connectionFlood: { ...flooded, elapsedMs: Math.round(flooded.elapsedMs), shedRate, shedConnecting, refusedConnects, latecomerConnectMs: Math.round(latecomerConnectMs), fleet: duringFlood },
      deviceFlood: {
        offeredPerSecond: 2000,
        limitPerSecond: 20,
        sent: deviceFlood.sent,
        acknowledged: deviceFlood.acknowledged.length,
        connections: deviceFlood.connections,
        delayed,
        refusedOverRate,
        fleet: duringDeviceFlood,
      },
      rssIdleMiB: Math.round(idleBytes / MIB),
      rssMaxMiB: Math.round(rss.maxBytes / MIB),
    });
  }, sized(180_000, 600_000));

  it('slow consumers: one that never reads is disconnected after the drain timeout, one that reads slowly is served at its pace', async () => {
    const site = await siteWithFleet('slow', 8, ['--mqtt-drain-timeout', '5s', '--device-rate', '0']);
    const { gateway } = site;
    const steady: Fleet = { seed: site.fleet.seed, devices: site.fleet.devices.slice(0, 6) };
    const stuck = site.fleet.devices[6];
    const slow = site.fleet.devices[7];
    if (stuck === undefined || slow === undefined) throw new Error('fleet too small');
    const memory = sampleResidentMemory(gateway.pid);
    const idleBytes = gateway.residentBytes() ?? 0;
    const store = new AckLedgerStore();
    const simulation = await startSimulation({ brokerUrl: gateway.mqttUrl, fleet: steady, store, rate: 60, durationMs: 30 * 60_000, keepRecord: false, logger: quietSimLogger() });
    simulations.push(simulation);
    await waitFor(() => store.acknowledgedCount >= 100, 60_000, 'the fleet publishing', 50);
    const baseline = await measure(store, () => sleep(4_000));

    // A client that subscribes, stops reading, and keeps publishing one reading again and again: each answer
    // (PUBACK and a signed "duplicate" notice on its downlink) piles up until its socket takes nothing more.
    const stuckMessage = signedReading(stuck, 1);
    const slowMessage = signedReading(slow, 1);
    const stuckConnection = await RawMqttConnection.open(gateway.mqttPort, stuck);
    const slowConnection = await RawMqttConnection.open(gateway.mqttPort, slow);
    stuckConnection.stopReading();
    const stuckSince = performance.now();
    let published = 0;
    const duringStuck = await measure(store, async () => {
      const openedAt = performance.now();
      while (!stuckConnection.closed && performance.now() - openedAt < 60_000) {
        for (let i = 0; i < 200 && !stuckConnection.closed; i += 1) {
          stuckConnection.publish(`tg/v1/dev/${stuck.id}/up`, stuckMessage, (published % 65_000) + 1);
          published += 1;
        }
        await sleep(20);
      }
    });
    const stuckClosedAfterMs = stuckConnection.closedAt === null ? Number.NaN : Math.round(stuckConnection.closedAt - stuckSince);
    expect(stuckConnection.closed, 'the client that never reads is disconnected').toBe(true);
    expect(await gateway.metric('trialgate_mqtt_slow_clients_closed_total')).toBeGreaterThanOrEqual(1);
    expect(gateway.logs().some((line) => line['event'] === 'slow_client_closed' && line['deviceId'] === stuck.id)).toBe(true);

    // A client that reads 1 KiB every 100 ms: 300 answers (about 75 KiB) come at its pace, and it stays.
    const reader = slowConnection.readSlowly(1024, 100);
    for (let i = 1; i <= 300; i += 1) slowConnection.publish(`tg/v1/dev/${slow.id}/up`, slowMessage, i);
    const slowBegun = performance.now();
    await waitFor(
      () => slowConnection.count('puback') >= 300,
      60_000,
      `the slow reader to get its 300 PUBACKs (has ${slowConnection.count('puback')} PUBACKs, ${slowConnection.count('publish')} notices, closed ${slowConnection.closed})`,
      100,
    );
    const slowServedInMs = performance.now() - slowBegun;
    reader.stop();
    expect(slowConnection.closed, 'the slow reader stays connected').toBe(false);
    slowConnection.destroy();

    const finished = await simulation.stop();
    const rss = memory.stop();
    expect(finished.pending).toBe(0);
    expect(duringStuck.perSecond, JSON.stringify({ baseline, duringStuck })).toBeGreaterThan(baseline.perSecond * 0.8);
    expect(rss.maxBytes - idleBytes).toBeLessThan(RSS_GROWTH_BOUND);

    expect(await gateway.stop()).toBe(0);
    const acknowledged = [...store.acknowledged(), ledgerMessage(slow.id, 1, slowMessage)];
    const result = await checkLog({ dataDir: site.dataDir, gatewayKey: site.gatewayKey, acknowledged });
    expect(logIsSound(result), describeProblems(result)).toBe(true);

    reportResult('overload-slow-consumers', {
      baseline,
      neverReads: { published, closedAfterMs: stuckClosedAfterMs, drainTimeoutMs: 5000, fleet: duringStuck },
      readsSlowly: { answers: 300, readBytesPerSecond: 10_240, servedInMs: Math.round(slowServedInMs), stayedConnected: true },
      rssIdleMiB: Math.round(idleBytes / MIB),
      rssMaxMiB: Math.round(rss.maxBytes / MIB),
    });
  }, sized(180_000, 600_000));
});
