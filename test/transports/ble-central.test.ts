/**
 * The BLE central (gateway/src/ble) driving noble's own Noble, Peripheral, Service and Characteristic classes
 * over simulated bindings (device-sim/src/ble): state change, scanning, advertisements, connect, discovery,
 * the Current Time read, subscriptions, notifications and indications, writes, disconnects and reconnects.
 */
import { generateEd25519KeyPair, isTrialgateError } from '@trialgate/firmware-protocol';
import {
  BleCentral,
  createNobleWithBindings,
  decodeClockOffsetEntry,
  gattEntryFlags,
  loadHciNoble,
  RegistryBleDirectory,
  silentLogger,
  systemClock,
  type BleCentralDependencies,
} from '@trialgate/gateway';
import {
  BloodPressureCuff,
  HeartRateStrap,
  MemoryDeviceStore,
  PulseOximeter,
  SigningBleDevice,
  SimBleBindings,
  SimPeripheral,
  type SimAdapterState,
} from '@trialgate/device-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { testTimers, transportKit, waitFor, type TransportKit } from './transport-kit.js';

const centrals: BleCentral[] = [];
afterEach(async () => {
  await Promise.all(centrals.splice(0).map((c) => c.close()));
});

function central(kit: TransportKit, bindings: SimBleBindings, extra: Partial<BleCentralDependencies> = {}): BleCentral {
  const directory = new RegistryBleDirectory(kit.registry);
  const c = new BleCentral({
    noble: createNobleWithBindings(bindings),
    directory,
    registry: kit.registry,
    log: kit.log,
    pipeline: kit.pipeline,
    signer: kit.signer,
    clock: systemClock,
    timers: testTimers,
    random: () => 0.5,
    logger: silentLogger(),
    maxMessageBytes: 16 * 1024,
    timeouts: { connectMs: 1000, discoverMs: 1000, readMs: 1000, subscribeMs: 1000, writeMs: 1000, poweredOnMs: 500 },
    backoff: { initialMs: 40, maxMs: 200 },
    ...extra,
  });
  centrals.push(c);
  return c;
}

/** A simulated signing device on the message service, connected to a started central. */
async function connectedSigningDevice(kit: TransportKit, identity: { id: string; secretKey: Uint8Array }, address: string): Promise<{ device: SigningBleDevice }> {
  const bindings = new SimBleBindings({ advertisingIntervalMs: 20 });
  const device = new SigningBleDevice({
    address,
    localName: 'DISP',
    identity,
    store: new MemoryDeviceStore(),
    gatewayKey: kit.gatewayKey,
    clock: systemClock,
    logger: silentLogger(),
    ackTimeoutMs: 400,
  });
  bindings.add(device);
  const c = central(kit, bindings);
  await c.start();
  await waitFor(() => c.connected.includes(identity.id), 5000, 'the connection');
  return { device };
}

describe('BLE central over noble with simulated peripherals', () => {
  it('logs heart rate, blood pressure and PLX values as received, with clock offsets, scanning paused while connecting', async () => {
    const kit = transportKit();
    // Standard health devices cannot sign: enrolled without a key.
    await kit.enrollWithoutKey('hr-1', 'hr-strap', { address: 'c0:00:00:00:00:01' });
    await kit.enrollWithoutKey('bp-1', 'bp-cuff', { name: 'BP-CUFF-0001' });
    await kit.enrollWithoutKey('ox-1', 'oximeter', { address: 'c0:00:00:00:00:03' });
    const bindings = new SimBleBindings({ advertisingIntervalMs: 20 });
    const strap = new HeartRateStrap({ address: 'C0:00:00:00:00:01', localName: 'HRM', clock: systemClock, clockOffsetMs: 90_000 });
    const cuff = new BloodPressureCuff({ address: 'd0:00:00:00:00:02', localName: 'BP-CUFF-0001', clock: systemClock, clockOffsetMs: -3_600_000 });
    const oximeter = new PulseOximeter({ address: 'c0:00:00:00:00:03', localName: 'OX', clock: systemClock, clockNotSet: true });
    const stranger = new HeartRateStrap({ address: 'c0:00:00:00:00:99', localName: 'OTHER', clock: systemClock });
    for (const p of [strap, cuff, oximeter, stranger]) bindings.add(p);
    // Taken before the gateway connects: the cuff keeps it and indicates it on subscription.
    const stored = cuff.measure({ systolic: 121, diastolic: 79, pulse: 64 });
    const c = central(kit, bindings);
    await c.start();
    await waitFor(() => c.connected.length === 3, 5000, 'three connections');
    const hr = strap.measure(72, [1024]);
    const spot = oximeter.spotCheck(97, 71);
    const cont = oximeter.continuous(96, 70);
    await waitFor(() => kit.entries().filter((e) => e.contentType.startsWith('gatt:')).length === 4, 5000, 'four values');

    const values = kit.entries().filter((e) => e.contentType.startsWith('gatt:'));
    const byType = (type: string) => values.find((e) => e.contentType === type);
    expect(byType('gatt:2a37')).toMatchObject({ transport: 'ble', deviceId: 'hr-1', original: hr });
    expect(byType('gatt:2a35')).toMatchObject({ transport: 'ble', deviceId: 'bp-1', original: stored });
    expect(byType('gatt:2a5e')).toMatchObject({ deviceId: 'ox-1', original: spot });
    expect(byType('gatt:2a5f')).toMatchObject({ deviceId: 'ox-1', original: cont });
    // The PLX "clock not set" flag reaches the entry's flags.
    expect(gattEntryFlags(byType('gatt:2a5e') ?? { contentType: 'gatt:2a5e', original: new Uint8Array() }).map((f) => f.code)).toStrictEqual(['F_DEVICE_CLOCK_NOT_SET']);

    const offsets = kit.entries().flatMap((e) => {
      if (e.contentType !== 'gateway') return [];
      const record = decodeClockOffsetEntry(e.original);
      return record === null ? [] : [{ ...record, transport: e.transport }];
    });
    const offsetOf = (dev: string) => offsets.find((o) => o.dev === dev);
    expect(offsetOf('hr-1')?.offsetMs).toBeGreaterThan(89_000);
    expect(offsetOf('hr-1')?.offsetMs).toBeLessThan(91_000);
    expect(offsetOf('bp-1')?.offsetMs).toBeLessThan(-3_599_000);
    expect(offsetOf('ox-1')).toMatchObject({ offsetMs: null, deviceTime: null, transport: 'ble' });
    // Never connected to the stranger; every connect happened with scanning stopped.
    expect(bindings.calls.filter((call) => call.startsWith('connect')).map((call) => call.split(' ')[1]).sort()).toStrictEqual(['c00000000001', 'c00000000003', 'd00000000002']);
    let scanning = false;
    for (const call of bindings.calls) {
      if (call === 'startScanning') scanning = true;
      if (call === 'stopScanning') scanning = false;
      if (call.startsWith('connect ')) expect(scanning).toBe(false);
    }
    await waitFor(() => bindings.isScanning, 2000, 'scanning to resume');
  });

  it('quarantines a value that does not decode, reconnects after a drop with backoff, and survives a connect timeout', async () => {
    const kit = transportKit();
    await kit.enrollWithoutKey('hr-2', 'hr-strap', { address: 'c0:00:00:00:00:04' });
    const bindings = new SimBleBindings({ advertisingIntervalMs: 20 });
    const strap = new HeartRateStrap({ address: 'c0:00:00:00:00:04', localName: 'HRM', clock: systemClock, withoutCurrentTime: true });
    strap.connectionPolicy = 'ignore';
    bindings.add(strap);
    const c = central(kit, bindings);
    await c.start();
    await waitFor(() => c.counters.connectFailures >= 1, 5000, 'a connect timeout');
    expect(bindings.calls).toContain('cancelConnect c00000000004');
    strap.connectionPolicy = 'accept';
    await waitFor(() => c.connected.includes('hr-2'), 5000, 'a connection after the timeout');

    // A value whose flags promise 16 bits but that holds 8: quarantined, not logged.
    (strap as unknown as { notify(s: string, c: string, v: Uint8Array): boolean }).notify('180d', '2a37', Uint8Array.of(0x01, 0x48));
    await waitFor(() => (kit.log.countQuarantineByReason()['E_GATT_TRUNCATED'] ?? 0) === 1, 5000, 'the quarantine');
    expect(kit.log.listQuarantine({ reason: 'E_GATT_TRUNCATED' })[0]).toMatchObject({ transport: 'ble', claimedDeviceId: 'hr-2', source: 'ble:c0:00:00:00:00:04' });

    strap.dropConnection();
    await waitFor(() => !c.connected.includes('hr-2'), 5000, 'the disconnect');
    await waitFor(() => c.connected.includes('hr-2'), 5000, 'the reconnect');
    strap.measure(80);
    await waitFor(() => kit.entries().some((e) => e.contentType === 'gatt:2a37'), 5000, 'a value after reconnecting');
    expect(strap.counters.connections).toBe(2);
  });

  it('carries signed messages over the message service: logged once, acknowledged by digest, and a message cut by a disconnect is quarantined, then resent', async () => {
    const kit = transportKit();
    const identity = await kit.enroll('disp-b1', 'pill_dispenser', ['ble'], { address: 'e0:00:00:00:00:01' });
    const { device } = await connectedSigningDevice(kit, identity, 'e0:00:00:00:00:01');
    for (let i = 0; i < 3; i++) await device.record({ t: Date.now(), type: 'device_status', data: { battery_pct: 90 - i, note: 'x'.repeat(60) } });
    await waitFor(() => device.protocol.pendingCount === 0, 5000, 'three acks');
    expect(device.protocol.counters.acked).toBe(3);

    device.cutNextMessageAfter(2);
    await device.record({ t: Date.now(), type: 'device_status', data: { battery_pct: 50, note: 'y'.repeat(60) } });
    await waitFor(() => (kit.log.countQuarantineByReason()['E_BLE_INCOMPLETE'] ?? 0) === 1, 5000, 'the cut message in quarantine');
    await waitFor(() => device.protocol.pendingCount === 0, 8000, 'the resent message acknowledged');
    const signed = kit.entries().filter((e) => e.contentType === 'cose-sign1');
    expect(signed.map((e) => [e.deviceId, e.transport])).toStrictEqual(Array(4).fill(['disp-b1', 'ble']));
    device.stop();
  });

  it('refuses signed messages on the message service from a device enrolled without a key (E_DEVICE_NO_KEY), logging none', async () => {
    const kit = transportKit();
    await kit.enrollWithoutKey('disp-nokey', 'pill_dispenser', { address: 'e0:00:00:00:00:02' });
    // It signs with some key, but the registry holds none to check it against.
    const identity = { id: 'disp-nokey', secretKey: generateEd25519KeyPair().secretKey };
    const { device } = await connectedSigningDevice(kit, identity, 'e0:00:00:00:00:02');
    await device.record({ t: Date.now(), type: 'device_status', data: { battery_pct: 90 } });
    await waitFor(() => (kit.log.countQuarantineByReason()['E_DEVICE_NO_KEY'] ?? 0) >= 1, 5000, 'the refusal in quarantine');
    expect(kit.log.listQuarantine({ reason: 'E_DEVICE_NO_KEY' })[0]).toMatchObject({ transport: 'ble', claimedDeviceId: 'disp-nokey' });
    expect(kit.entries().filter((e) => e.contentType === 'cose-sign1')).toStrictEqual([]);
    device.stop();
  });

  it('says clearly when there is no adapter, and when the adapter is off', async () => {
    // This machine has no Bluetooth: the real HCI bindings throw EAFNOSUPPORT when loaded.
    try {
      loadHciNoble();
      expect.unreachable('an adapter was found');
    } catch (error) {
      expect(isTrialgateError(error) && error.code).toBe('E_BLE_NO_ADAPTER');
      expect(error instanceof Error && error.message).toMatch(/no Bluetooth adapter/);
    }
    const off = new SimBleBindings({ state: 'poweredOff' as SimAdapterState });
    await expect(central(transportKit(), off).start()).rejects.toMatchObject({ code: 'E_BLE_ADAPTER_STATE' });
    expect(new SimPeripheral({ address: 'aa:bb:cc:dd:ee:ff', localName: 'x' }).id).toBe('aabbccddeeff');
  });
});
