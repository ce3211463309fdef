import { expect, it } from 'vitest';
import type { DeviceStore } from './device-store.js';

const message = (deviceId: string, seq: number): { deviceId: string; seq: number; bytes: Uint8Array } => ({
  deviceId,
  seq,
  bytes: Uint8Array.from([seq & 0xff, 0xd2, 0x84]),
});

/**
 * The `DeviceStore` contract, run against every adapter. `reopen` gives a store over the same durable state
 * (for the memory adapter, the same instance: it models a device restart, not a process exit).
 */
export function deviceStoreContract(name: string, fresh: () => Promise<DeviceStore>, reopen: (store: DeviceStore) => Promise<DeviceStore>): void {
  it(`${name}: a fresh store starts every device at seq 0 with nothing pending`, async () => {
    const store = await fresh();
    expect(store.resume('A')).toEqual({ lastSeq: 0, pending: [] });
    await store.close();
  });

  it(`${name}: keeps the seq counter and the unacknowledged messages, in seq order, across a restart`, async () => {
    const store = await fresh();
    await store.put([message('A', 2), message('A', 1)]);
    await store.put([message('B', 1)]);
    await store.put([message('A', 3)]);
    store.ack('A', 2);
    store.ack('B', 1);
    await store.close();
    const again = await reopen(store);
    const a = again.resume('A');
    expect(a.lastSeq).toBe(3);
    expect(a.pending.map((m) => m.seq)).toEqual([1, 3]);
    expect(a.pending[0]?.bytes).toEqual(message('A', 1).bytes);
    expect(again.resume('B')).toEqual({ lastSeq: 1, pending: [] });
    await again.close();
  });

  it(`${name}: a reserved seq is never handed out again`, async () => {
    const store = await fresh();
    await store.put([message('A', 1)]);
    await store.reserve('A', 2);
    await store.close();
    const again = await reopen(store);
    expect(again.resume('A').lastSeq).toBe(2);
    await again.close();
  });

  it(`${name}: concurrent puts of many devices all become durable`, async () => {
    const store = await fresh();
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.put([message(`D${i % 20}`, Math.floor(i / 20) + 1)])));
    await store.close();
    const again = await reopen(store);
    for (let d = 0; d < 20; d++) {
      const state = again.resume(`D${d}`);
      expect(state.lastSeq).toBe(10);
      expect(state.pending.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
    await again.close();
  });
}
