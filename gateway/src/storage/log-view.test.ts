import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entryBytes } from './entry-bytes.js';
import { sampleEntry, sampleQuarantine } from './gateway-log-contract.js';
import { openLogStore } from './log-store.js';
import { openLogView } from './log-view.js';

const ORIGIN = 'trial.example/site-5/gw';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-view-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('openLogView', () => {
  it('reads a snapshot beside a running writer, without taking its lock or seeing later appends', async () => {
    const dataDir = freshDir();
    const store = openLogStore({ dataDir, origin: ORIGIN, segmentCapacity: 4 });
    cleanups.push(() => store.close());
    const entries = Array.from({ length: 11 }, (_, i) => sampleEntry({ original: new Uint8Array([i]) }));
    await Promise.all(entries.map((e) => store.log.append(e)));
    await store.log.quarantine(sampleQuarantine());
    const view = openLogView({ dataDir });
    cleanups.push(() => view.close());
    expect(view.mode).toBe('snapshot');
    expect(view.origin).toBe(ORIGIN);
    expect(view.size()).toBe(11);
    expect(view.readEntry(10)).toEqual(entryBytes(entries[10] ?? sampleEntry()));
    expect(view.tree.root(11)).toEqual(store.tree.root(11));
    expect(view.tree.inclusionProof(3, 9)).toEqual(store.tree.inclusionProof(3, 9));
    const seen: number[] = [];
    view.forEachEntry(2, 11, (index, bytes) => {
      expect(bytes).toEqual(entryBytes(entries[index] ?? sampleEntry()));
      seen.push(index);
    });
    expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(view.listQuarantine()).toHaveLength(1);
    await store.log.append(sampleEntry());
    expect(view.size()).toBe(11);
    expect(() => view.readEntry(11)).toThrow(expect.objectContaining({ code: 'E_STORAGE_INDEX_RANGE' }));
    // The writer is undisturbed.
    expect((await store.log.append(sampleEntry())).index).toBe(12);
  });

  it('opens a stopped gateway\'s directory exclusively (recovering it first) and releases it on close', async () => {
    const dataDir = freshDir();
    const store = openLogStore({ dataDir, origin: ORIGIN });
    await store.log.append(sampleEntry());
    await store.close();
    const view = openLogView({ dataDir, holder: 'test' });
    expect(view.mode).toBe('exclusive');
    expect(view.size()).toBe(1);
    expect(() => openLogStore({ dataDir })).toThrow(expect.objectContaining({ code: 'E_STORAGE_LOCKED' }));
    await view.close();
    const again = openLogStore({ dataDir });
    await again.close();
  });

  it('says a directory holds no gateway data', () => {
    expect(() => openLogView({ dataDir: freshDir() })).toThrow(expect.objectContaining({ code: 'E_STORAGE_NOT_FOUND' }));
  });
});
