import { decodeDeviceMessage } from '@trialgate/firmware-protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import type { DownlinkMessage } from '../downlink/downlink-message.js';
import { parseGatewayKey } from '../downlink/gateway-key.js';
import { signDownlinkMessage } from '../downlink/sign-downlink-message.js';
import { createFleet } from '../fleet/fleet.js';
import type { Reading } from '../models/reading.js';
import { createRandom } from '../random/random.js';
import { TestBroker } from '../testing/test-broker.js';
import { performanceNow, systemClock } from '../time/clock.js';
import { MemoryDeviceStore } from './memory-device-store.js';
import { SimDevice, type SimDeviceOptions } from './sim-device.js';

const logger = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const reading = (i: number): Reading => ({ t: Date.now(), type: 'heart_rate', data: { bpm: 60 + (i % 40) } });

function seqsReceived(broker: TestBroker, id: string): number[] {
  return broker.received
    .filter((p) => p.topic === `tg/v1/dev/${id}/up`)
    .map((p) => decodeDeviceMessage(p.bytes).payload.seq);
}

function makeDevice(broker: TestBroker, overrides: Partial<SimDeviceOptions> = {}): SimDevice {
  const [identity] = createFleet({ size: 1, seed: 3 }).devices;
  const device = new SimDevice({
    identity: identity!,
    brokerUrl: broker.url,
    store: new MemoryDeviceStore(),
    wallClock: systemClock,
    monotonic: performanceNow,
    random: createRandom(1),
    logger,
    backoff: { initialMs: 50, maxMs: 400 },
    ...overrides,
  });
  cleanups.push(() => device.stop());
  return device;
}

describe('SimDevice against a real MQTT broker', () => {
  it('connects with its id and a connect token the gateway edge accepts, and publishes on its uplink', async () => {
    const fleet = createFleet({ size: 1, seed: 3 });
    const broker = await TestBroker.start({ registry: new Map(fleet.devices.map((d) => [d.id, d.publicKey])) });
    cleanups.push(() => broker.stop());
    const device = makeDevice(broker);
    device.start();
    for (let i = 0; i < 5; i++) await device.record(reading(i));
    expect(await device.drain(10_000)).toBe(true);
    expect(seqsReceived(broker, device.id)).toEqual([1, 2, 3, 4, 5]);
    expect(broker.refusedConnects).toEqual([]);
  });

  it('stores readings while the broker is down and replays them in seq order once it is back, with backoff', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.stop());
    const device = makeDevice(broker);
    device.start();
    for (let i = 0; i < 3; i++) await device.record(reading(i));
    expect(await device.drain(10_000)).toBe(true);
    await broker.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 3; i < 40; i++) await device.record(reading(i));
    // Several attempts fail while the port is closed; the backoff keeps them apart.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(device.counters.connectFailures).toBeGreaterThanOrEqual(1);
    expect(device.counters.connectFailures).toBeLessThan(20);
    expect(device.pendingCount).toBe(37);
    await broker.restart();
    expect(await device.drain(10_000)).toBe(true);
    const seqs = seqsReceived(broker, device.id);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(device.counters.connects).toBe(2);
  });

  it('keeps seq and unsent messages across a device restart (same store)', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.stop());
    const store = new MemoryDeviceStore();
    const first = makeDevice(broker, { store });
    first.setOnline(false);
    first.start();
    first.setOnline(false);
    for (let i = 0; i < 4; i++) await first.record(reading(i));
    await first.stop();
    const second = makeDevice(broker, { store });
    second.start();
    await second.record(reading(99));
    expect(await second.drain(10_000)).toBe(true);
    expect(seqsReceived(broker, second.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('is refused by the gateway edge with a bad key and keeps retrying with backoff', async () => {
    const other = createFleet({ size: 1, seed: 99 });
    const broker = await TestBroker.start({ registry: new Map([[createFleet({ size: 1, seed: 3 }).devices[0]!.id, other.devices[0]!.publicKey]]) });
    cleanups.push(() => broker.stop());
    const device = makeDevice(broker);
    device.start();
    await broker.waitFor(() => broker.refusedConnects.length >= 3, 10_000, 'three refused attempts');
    expect(device.state).not.toBe('online');
  });

  it('acts only on downlink messages signed by the gateway key and addressed to it', async () => {
    const broker = await TestBroker.start();
    cleanups.push(() => broker.stop());
    const gateway = generateEd25519KeyPair(() => new Uint8Array(32).fill(3));
    const forger = generateEd25519KeyPair(() => new Uint8Array(32).fill(4));
    const verified: DownlinkMessage[] = [];
    const rejected: string[] = [];
    const device = makeDevice(broker, {
      gatewayKey: parseGatewayKey(Buffer.from(gateway.publicKey).toString('base64')),
      events: { onDownlink: (m) => verified.push(m), onDownlinkRejected: (r) => rejected.push(r) },
    });
    device.start();
    await device.record(reading(1));
    expect(await device.drain(10_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the downlink subscription is in place
    const origin = 'trial.example/site-042/gw-1';
    const sign = (secretKey: Uint8Array, dev: string, type: string): Uint8Array =>
      signDownlinkMessage({ origin, secretKey, dev, t: Date.now(), type, data: { scheduled: 1, code: 'E_X', message: 'm', disposition: 'quarantined' } });
    await broker.publishDownlink(device.id, sign(gateway.secretKey, device.id, 'reminder'));
    await broker.publishDownlink(device.id, sign(forger.secretKey, device.id, 'reminder'));
    await broker.publishDownlink(device.id, sign(gateway.secretKey, 'SOMEONE-ELSE', 'notice'));
    await broker.publishDownlink(device.id, Uint8Array.of(0xff, 0x00));
    await broker.waitFor(() => verified.length + rejected.length === 4, 5_000, 'four downlink messages');
    expect(verified.map((m) => m.type)).toEqual(['reminder']);
    expect(rejected).toEqual(['signature', 'addressee', 'cbor']);
  });
});
