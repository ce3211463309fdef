import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createNoteVerifier, openCheckpoint } from '@trialgate/proof-formats';
import { loadOrCreateGatewayKey } from '../keys/gateway-key.js';
import { sampleEntry } from '../storage/gateway-log-contract.js';
import { openLogStore, type LogStore } from '../storage/log-store.js';
import { CheckpointError } from './checkpoint-error.js';
import { Checkpointer, type CheckpointerOptions } from './checkpointer.js';
import type { TimerPort } from './timer-port.js';

const ORIGIN = 'trial.example/site-9/gw';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function manualTimers(): TimerPort & { fire(): void; pending(): number } {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout: (callback) => {
      const id = next++;
      callbacks.set(id, callback);
      return id;
    },
    clearTimeout: (handle) => {
      callbacks.delete(handle as number);
    },
    fire: () => {
      const all = [...callbacks.values()];
      callbacks.clear();
      for (const callback of all) callback();
    },
    pending: () => callbacks.size,
  };
}

function setup(overrides: Partial<CheckpointerOptions> = {}, dataDir?: string): {
  store: LogStore;
  checkpointer: Checkpointer;
  timers: ReturnType<typeof manualTimers>;
  dataDir: string;
} {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tg-cp-'));
  if (dataDir === undefined) cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const store = openLogStore({ dataDir: dir, origin: ORIGIN });
  cleanups.push(() => store.close());
  const timers = manualTimers();
  let now = 1_800_000_000_000;
  const checkpointer = new Checkpointer({
    origin: ORIGIN,
    log: store.log,
    tree: store.tree,
    checkpoints: store.checkpoints,
    key: loadOrCreateGatewayKey({ dataDir: dir, origin: ORIGIN }),
    clock: { now: () => (now += 1000) },
    timers,
    intervalMs: 1000,
    maxEntries: 5,
    ...overrides,
  });
  return { store, checkpointer, timers, dataDir: dir };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

describe('Checkpointer', () => {
  it('signs nothing for an empty log, then a checkpoint whose note verifies and whose root is the tree root', async () => {
    const { store, checkpointer } = setup();
    expect(await checkpointer.checkpointNow()).toBeNull();
    await Promise.all([1, 2, 3].map((i) => store.log.append(sampleEntry({ original: new Uint8Array([i]) }))));
    const checkpoint = await checkpointer.checkpointNow();
    expect(checkpoint?.treeSize).toBe(3);
    const key = loadOrCreateGatewayKey({ dataDir: store.layout.root, origin: ORIGIN });
    const opened = openCheckpoint(checkpoint?.note ?? '', [createNoteVerifier(ORIGIN, key.publicKey)]);
    expect(opened.checkpoint).toEqual({ origin: ORIGIN, treeSize: 3, rootHash: store.tree.root(3) });
    expect(store.checkpoints.latest()).toEqual(checkpoint);
    // Handed to the outbox in the same transaction.
    expect(store.db.prepare('SELECT tree_size FROM anchor_outbox').all()).toEqual([{ tree_size: 3 }]);
    expect(await checkpointer.checkpointNow()).toBeNull();
  });

  it('signs when the entry count is reached, and on the interval only if something is new', async () => {
    const { store, checkpointer, timers } = setup();
    checkpointer.start();
    await Promise.all([1, 2, 3, 4, 5].map((i) => store.log.append(sampleEntry({ original: new Uint8Array([i]) }))));
    await vi.waitFor(() => expect(checkpointer.latest()?.treeSize).toBe(5));
    await store.log.append(sampleEntry());
    timers.fire();
    await vi.waitFor(() => expect(checkpointer.latest()?.treeSize).toBe(6));
    await vi.waitFor(() => expect(timers.pending()).toBe(1));
    timers.fire();
    await settle();
    expect(store.checkpoints.count()).toBe(2);
    expect(timers.pending()).toBe(1);
    await checkpointer.stop();
    expect(timers.pending()).toBe(0);
  });

  it('never signs two checkpoints of one size, even when asked concurrently', async () => {
    const { store, checkpointer } = setup();
    await store.log.append(sampleEntry());
    const results = await Promise.all([checkpointer.checkpointNow(), checkpointer.checkpointNow(), checkpointer.checkpointNow()]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    await store.log.append(sampleEntry());
    await checkpointer.checkpointNow();
    expect(store.checkpoints.list().map((c) => c.treeSize)).toEqual([1, 2]);
  });

  it('signs a final checkpoint on stop, and continues from it after a restart', async () => {
    const first = setup();
    await first.store.log.append(sampleEntry());
    expect((await first.checkpointer.stop())?.treeSize).toBe(1);
    await first.store.close();
    const second = setup({}, first.dataDir);
    expect(second.checkpointer.latest()?.treeSize).toBe(1);
    await second.store.log.append(sampleEntry());
    expect((await second.checkpointer.checkpointNow())?.treeSize).toBe(2);
  });

  it('refuses to start when the latest checkpoint is not signed by the key in the data directory', async () => {
    const first = setup();
    await first.store.log.append(sampleEntry());
    await first.checkpointer.stop();
    await first.store.close();
    fs.rmSync(path.join(first.dataDir, 'gateway.key'));
    expect(() => setup({}, first.dataDir)).toThrow(CheckpointError);
  });
});
