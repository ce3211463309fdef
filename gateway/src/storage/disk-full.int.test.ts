/**
 * A real full disk: the data directory on a 4 MiB tmpfs (needs root to mount; skipped otherwise, the
 * injected-failure tests in durable-gateway-log.test.ts cover the same paths). The log fills the disk:
 * appends fail with E_STORAGE_NO_SPACE (nothing acknowledged), nothing written before is damaged, and once
 * space returns appends resume and every acknowledged entry is there after a reopen.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import { openLogStore } from './log-store.js';
import { readingEntry } from './testing/test-messages.js';

const mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-full-'));
let mounted = false;

beforeAll(() => {
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { encoding: 'utf8' });
  mounted = result.status === 0;
});

afterAll(() => {
  if (mounted && spawnSync('umount', [mountPoint]).status !== 0) spawnSync('umount', ['-l', mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

describe('a full disk (tmpfs)', () => {
  it('refuses appends with E_STORAGE_NO_SPACE, damages nothing, and resumes when space returns', async (context) => {
    if (!mounted) {
      context.skip();
      return;
    }
    const dataDir = path.join(mountPoint, 'data');
    const filler = path.join(mountPoint, 'filler');
    // Half the disk: what it frees when removed is room for the catch-up after the outage (the seq index rows,
    // written in bulk, take their space after the entries; durable-gateway-log.ts) and for the reopen.
    fs.writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024));
    let store = openLogStore({ dataDir, origin: 'trial.example/full/gw' });
    context.onTestFinished(() => store.close());
    const acknowledged = new Map<number, number>();
    const failures = new Map<string, number>();
    let seq = 1;
    let refusedInARow = 0;
    while (refusedInARow < 3 && seq < 200_000) {
      const batch = Array.from({ length: 50 }, () => readingEntry('wearable-full', seq++));
      const results = await Promise.allSettled(batch.map((r) => store.log.append(r.entry, r.claim)));
      let refused = 0;
      for (const [i, result] of results.entries()) {
        if (result.status === 'fulfilled') acknowledged.set(batch[i]?.claim.seq ?? -1, result.value.index);
        else {
          refused += 1;
          const code = isTrialgateError(result.reason) ? result.reason.code : String(result.reason);
          failures.set(code, (failures.get(code) ?? 0) + 1);
        }
      }
      refusedInARow = refused === batch.length ? refusedInARow + 1 : 0;
    }
    expect(refusedInARow).toBe(3);
    expect([...failures.keys()]).toContain('E_STORAGE_NO_SPACE');
    for (const code of failures.keys()) expect(code.startsWith('E_STORAGE_')).toBe(true);
    const sizeWhenFull = store.log.size();

    // Space returns.
    fs.rmSync(filler);
    let resumed = false;
    for (let attempt = 0; attempt < 20 && !resumed; attempt++) {
      const r = readingEntry('wearable-full', seq++);
      try {
        const outcome = await store.log.append(r.entry, r.claim);
        acknowledged.set(r.claim.seq, outcome.index);
        resumed = true;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    expect(resumed).toBe(true);
    await store.close();

    store = openLogStore({ dataDir, verify: 'full' });
    expect(store.log.size()).toBeGreaterThanOrEqual(sizeWhenFull);
    for (const [s, index] of acknowledged) {
      const again = readingEntry('wearable-full', s);
      expect(await store.log.append(again.entry, again.claim)).toEqual({ status: 'duplicate', index });
    }
  }, 120_000);
});
