import { decodeDeviceMessage } from '@trialgate/firmware-protocol';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import { FileDeviceStore } from '../device/file-device-store.js';
import { parseGatewayKey } from '../downlink/gateway-key.js';
import { signDownlinkMessage } from '../downlink/sign-downlink-message.js';
import { PillDispenserModel } from '../models/pill-dispenser-model.js';
import { FAULT_KINDS } from '../faults/fault-kind.js';
import { createFleet } from '../fleet/fleet.js';
import { sha256Hex } from './message-record.js';
import { TestBroker } from '../testing/test-broker.js';
import { startSimulation } from './start-simulation.js';
import type { SimulationProgress } from './simulation-options.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('startSimulation against a real MQTT broker', () => {
  it('load mode: delivers every reading, reports the achieved rate and PUBACK latency percentiles', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.stop());
    const fleet = createFleet({ size: 12, seed: 5 });
    const progress: SimulationProgress[] = [];
    const simulation = await startSimulation({
      brokerUrl: broker.url,
      fleet,
      rate: 400,
      durationMs: 2_000,
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 500,
    });
    const result = await simulation.done;
    expect(result.mode).toBe('load');
    expect(result.produced).toBeGreaterThan(600);
    expect(result.delivered).toBe(result.produced);
    expect(result.pending).toBe(0);
    expect(result.achievedRate).toBeGreaterThan(0);
    expect(result.latency.count).toBe(result.delivered);
    expect(result.latency.p50).toBeLessThanOrEqual(result.latency.p90);
    expect(result.latency.p90).toBeLessThanOrEqual(result.latency.p99);
    expect(result.latency.p99).toBeLessThanOrEqual(result.latency.max);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    // Every device's messages reached the broker in seq order, each seq exactly once.
    for (const device of fleet.devices) {
      const seqs = broker.received.filter((p) => p.clientId === device.id).map((p) => decodeDeviceMessage(p.bytes).payload.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
    expect(result.records.every((r) => r.kind === 'valid' && r.outcome === 'acked')).toBe(true);
  });

  it('fault mode: injects every fault kind beside valid traffic, reconnects after a closed connection, records each', async () => {
    const fleet = createFleet({ size: 6, seed: 8 });
    const broker = await TestBroker.start({ registry: new Map(fleet.devices.map((d) => [d.id, d.publicKey])) });
    cleanups.push(() => broker.stop());
    const simulation = await startSimulation({
      brokerUrl: broker.url,
      fleet,
      rate: 60,
      durationMs: 6_000,
      faults: FAULT_KINDS,
      backoff: { initialMs: 50, maxMs: 500 },
    });
    const result = await simulation.done;
    const faults = result.records.filter((r) => r.kind !== 'valid');
    expect(new Set(faults.map((r) => r.kind))).toEqual(new Set(FAULT_KINDS));
    const byKind = new Map(faults.map((r) => [r.kind, r]));
    expect(byKind.get('wrong_topic')?.outcome).toBe('connection_closed');
    expect(broker.closedForTopic.length).toBe(1);
    expect(byKind.get('unknown_device')?.outcome).toBe('connect_refused');
    for (const kind of ['corrupted_bytes', 'bad_signature', 'replayed_seq', 'conflicting_seq', 'clock_skew', 'oversize', 'malformed_cbor'] as const) {
      expect(byKind.get(kind)?.outcome, kind).toBe('acked');
    }
    // Valid traffic is unaffected: every valid message acknowledged and received; the device whose connection
    // was closed came back.
    const received = new Set(broker.received.map((p) => sha256Hex(p.bytes)));
    const valid = result.records.filter((r) => r.kind === 'valid');
    expect(valid.length).toBeGreaterThan(200);
    for (const record of valid) {
      expect(record.outcome).toBe('acked');
      expect(received.has(record.sha256)).toBe(true);
    }
    expect(result.connections.disconnects).toBeGreaterThanOrEqual(1);
    expect(result.pending).toBe(0);
    const skew = byKind.get('clock_skew');
    expect(Math.abs((skew?.t ?? 0) - Date.now())).toBeGreaterThan(3_600_000);
  });

  it('natural mode at high speed: each model on its own cadence, with outages replayed in order', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.stop());
    const fleet = createFleet({ size: 6, seed: 9 });
    const result = await (
      await startSimulation({
        brokerUrl: broker.url,
        fleet,
        durationMs: 3_000,
        speed: 3_600 * 8,
        outages: { meanIntervalMs: 4 * 3_600_000, meanDurationMs: 3_600_000 },
      })
    ).done;
    expect(result.mode).toBe('natural');
    expect(result.delivered).toBe(result.produced);
    const types = new Set(broker.received.map((p) => decodeDeviceMessage(p.bytes).payload.type));
    for (const type of ['heart_rate', 'steps', 'dose_event', 'device_status']) expect(types.has(type), type).toBe(true);
    expect(result.connections.disconnects).toBeGreaterThan(0);
    for (const device of fleet.devices) {
      const seqs = broker.received.filter((p) => p.clientId === device.id).map((p) => decodeDeviceMessage(p.bytes).payload.seq);
      // Going offline can cut a message whose PUBACK was still on its way: it is sent again (the gateway
      // acknowledges the identical bytes without logging them twice). First arrivals are in seq order.
      const firstArrivals = seqs.filter((seq, i) => seqs.indexOf(seq) === i);
      expect(firstArrivals).toEqual(Array.from({ length: firstArrivals.length }, (_, i) => i + 1));
    }
  });

  it('a second run from the same state directory continues every seq where the first stopped', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.stop());
    const dir = await mkdtemp(join(tmpdir(), 'tg-sim-state-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const fleet = createFleet({ size: 4, seed: 12 });
    for (let run = 0; run < 2; run++) {
      const store = await FileDeviceStore.open(dir);
      const result = await (await startSimulation({ brokerUrl: broker.url, fleet, store, rate: 100, durationMs: 800 })).done;
      await store.close();
      expect(result.pending).toBe(0);
    }
    for (const device of fleet.devices) {
      const seqs = broker.received.filter((p) => p.clientId === device.id).map((p) => decodeDeviceMessage(p.bytes).payload.seq);
      expect(seqs.length).toBeGreaterThan(20);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
  });

  it('load mode with presigning sends the messages signed ahead, in seq order', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.stop());
    const fleet = createFleet({ size: 5, seed: 13 });
    const result = await (await startSimulation({ brokerUrl: broker.url, fleet, rate: 300, durationMs: 1_000, presign: true })).done;
    expect(result.produced).toBeGreaterThan(250);
    expect(result.produced).toBeLessThanOrEqual(300);
    expect(result.delivered).toBe(result.produced);
    for (const device of fleet.devices) {
      const seqs = broker.received.filter((p) => p.clientId === device.id).map((p) => decodeDeviceMessage(p.bytes).payload.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
  });

  it('passes a verified reminder from the gateway to the dispenser model', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.stop());
    const gateway = generateEd25519KeyPair(() => new Uint8Array(32).fill(5));
    const fleet = createFleet({ size: 2, seed: 14, mix: { pill_dispenser: 1 } });
    const simulation = await startSimulation({
      brokerUrl: broker.url,
      fleet,
      durationMs: 30_000,
      gatewayKey: parseGatewayKey(Buffer.from(gateway.publicKey).toString('base64')),
    });
    const dispenser = fleet.devices[0]!;
    const model = simulation.model(dispenser.id);
    expect(model).toBeInstanceOf(PillDispenserModel);
    await broker.waitFor(() => simulation.devices.every((d) => d.state === 'online'), 10_000, 'devices online');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await broker.publishDownlink(
      dispenser.id,
      signDownlinkMessage({ origin: 'gw', secretKey: gateway.secretKey, dev: dispenser.id, t: Date.now(), type: 'reminder', data: { slot: 1 } }),
    );
    await broker.waitFor(() => (model as PillDispenserModel).tally.remindersReceived === 1, 10_000, 'the reminder');
    const result = await simulation.stop();
    expect(result.downlink).toEqual({ verified: 1, rejected: 0 });
  });
});
