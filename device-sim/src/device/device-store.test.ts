import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceStoreContract } from './device-store.contract.js';
import { FileDeviceStore, OUTBOX_JOURNAL_FILE } from './file-device-store.js';
import { MemoryDeviceStore } from './memory-device-store.js';
import type { DeviceStore } from './device-store.js';

const directories: string[] = [];
const dirs = new WeakMap<DeviceStore, string>();

async function freshFileStore(options = {}): Promise<DeviceStore> {
  const dir = await mkdtemp(join(tmpdir(), 'tg-sim-store-'));
  directories.push(dir);
  const store = await FileDeviceStore.open(dir, options);
  dirs.set(store, dir);
  return store;
}

afterEach(async () => {
  for (const dir of directories.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('DeviceStore adapters', () => {
  deviceStoreContract('memory', () => Promise.resolve(new MemoryDeviceStore()), (store) => Promise.resolve(store));
  deviceStoreContract('file', () => freshFileStore(), async (store) => {
    const dir = dirs.get(store);
    if (dir === undefined) throw new Error('unknown store');
    const again = await FileDeviceStore.open(dir);
    dirs.set(again, dir);
    return again;
  });
});

describe('FileDeviceStore', () => {
  it('drops a torn last line left by a crash and rewrites the journal compactly', async () => {
    const store = await freshFileStore();
    const dir = dirs.get(store)!;
    await store.put([{ deviceId: 'A', seq: 1, bytes: Uint8Array.of(1) }]);
    store.ack('A', 1);
    await store.put([{ deviceId: 'A', seq: 2, bytes: Uint8Array.of(2) }]);
    await store.close();
    await appendFile(join(dir, OUTBOX_JOURNAL_FILE), '{"m":"A","s":3,"b":"Aw');
    const again = await FileDeviceStore.open(dir);
    expect(again.resume('A')).toEqual({ lastSeq: 2, pending: [{ deviceId: 'A', seq: 2, bytes: Uint8Array.of(2) }] });
    await again.close();
    const text = await readFile(join(dir, OUTBOX_JOURNAL_FILE), 'utf8');
    expect(text).toBe('{"h":"A","s":2}\n{"m":"A","s":2,"b":"Ag=="}\n');
  });

  it('refuses a journal corrupted before its last line', async () => {
    const store = await freshFileStore();
    const dir = dirs.get(store)!;
    await store.close();
    await writeFile(join(dir, OUTBOX_JOURNAL_FILE), 'garbage\n{"h":"A","s":2}\n');
    await expect(FileDeviceStore.open(dir)).rejects.toMatchObject({ code: 'E_SIM_STATE_CORRUPT' });
  });

  it('compacts while running once the journal grows, losing nothing', async () => {
    const store = await freshFileStore({ compactAfterBytes: 2_000 });
    const dir = dirs.get(store)!;
    for (let seq = 1; seq <= 200; seq++) {
      await store.put([{ deviceId: 'A', seq, bytes: new Uint8Array(20).fill(seq) }]);
      if (seq % 3 !== 0) store.ack('A', seq);
    }
    await store.close();
    const again = await FileDeviceStore.open(dir);
    const state = again.resume('A');
    expect(state.lastSeq).toBe(200);
    expect(state.pending.map((m) => m.seq)).toEqual(Array.from({ length: 66 }, (_, i) => (i + 1) * 3));
    await again.close();
  });

  it('opens any journal content or refuses it with E_SIM_STATE_CORRUPT, nothing else', async () => {
    const store = await freshFileStore();
    const dir = dirs.get(store)!;
    await store.close();
    const line = fc.oneof(
      fc.json(),
      fc.record({ m: fc.string(), s: fc.integer(), b: fc.string() }).map((v) => JSON.stringify(v)),
      fc.record({ a: fc.string(), h: fc.anything(), s: fc.anything() }, { requiredKeys: [] }).map((v) => JSON.stringify(v) ?? ''),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 6 }), fc.boolean(), async (lines, newline) => {
        await writeFile(join(dir, OUTBOX_JOURNAL_FILE), lines.join('\n') + (newline ? '\n' : ''));
        try {
          const opened = await FileDeviceStore.open(dir);
          await opened.close();
        } catch (error) {
          expect((error as { code?: string }).code).toBe('E_SIM_STATE_CORRUPT');
        }
      }),
      { numRuns: 200 },
    );
  });
});
