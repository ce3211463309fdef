import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeDeviceMessage } from '@trialgate/firmware-protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet } from '../fleet/fleet.js';
import { createRandom } from '../random/random.js';
import { performanceNow, systemClock } from '../time/clock.js';
import { FileDeviceStore } from './file-device-store.js';
import { SimDevice } from './sim-device.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const [identity] = createFleet({ size: 1, seed: 17 }).devices;

function offlineDevice(store: FileDeviceStore): SimDevice {
  const device = new SimDevice({
    identity: identity!,
    brokerUrl: 'mqtt://127.0.0.1:9',
    store,
    wallClock: systemClock,
    monotonic: performanceNow,
    random: createRandom(1),
    logger: pino({ level: 'silent' }),
  });
  device.start({ online: false });
  return device;
}

describe('SimDevice seq and store-and-forward (offline, real files)', () => {
  it('keeps its seq counter and unsent messages, in seq order, across a restart of the device', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-sim-device-'));
    dirs.push(dir);
    let store = await FileDeviceStore.open(dir);
    let device = offlineDevice(store);
    expect(device.state).toBe('offline');
    for (let i = 0; i < 5; i++) await device.record({ t: 1_767_225_600_000 + i, type: 'steps', data: { count: i, interval_s: 60 } });
    expect(device.pendingCount).toBe(5);
    await device.stop();
    await store.close();

    store = await FileDeviceStore.open(dir);
    device = offlineDevice(store);
    expect(device.peekNextSeq).toBe(6);
    expect(device.pendingCount).toBe(5);
    const sixth = await device.record({ t: 1_767_225_700_000, type: 'steps', data: { count: 9, interval_s: 60 } });
    expect(sixth.seq).toBe(6);
    expect(decodeDeviceMessage(sixth.bytes).payload).toMatchObject({ dev: identity!.id, seq: 6 });
    expect(store.resume(identity!.id).pending.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    await device.stop();
    await store.close();
  });

  it('never reuses a seq burned by a fault or one whose reading the encoder refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-sim-device-'));
    dirs.push(dir);
    let store = await FileDeviceStore.open(dir);
    let device = offlineDevice(store);
    await device.record({ t: 1_767_225_600_000, type: 'heart_rate', data: { bpm: 70 } });
    expect(await device.reserveSeq()).toBe(2);
    expect(() => device.sign({ t: 1.5, type: 'heart_rate', data: { bpm: 70 } })).toThrow();
    await device.stop();
    await store.close();
    store = await FileDeviceStore.open(dir);
    device = offlineDevice(store);
    expect(device.peekNextSeq).toBe(3);
    await device.stop();
    await store.close();
  });
});
