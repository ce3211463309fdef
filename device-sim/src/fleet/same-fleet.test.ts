import { describe, expect, it } from 'vitest';
import { createFleet } from './fleet.js';
import { parseFleetFile, saveFleet, loadFleet } from './fleet-store.js';
import { sameFleet } from './same-fleet.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('sameFleet', () => {
  it('is true for the fleet the same parameters make again, and for it saved and loaded', async () => {
    const fleet = createFleet({ size: 6, seed: 4, idPrefix: 'P' });
    expect(sameFleet(fleet, createFleet({ size: 6, seed: 4, idPrefix: 'P' }))).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'tg-same-fleet-'));
    try {
      await saveFleet(dir, fleet);
      const loaded = await loadFleet(dir);
      expect(loaded !== undefined && sameFleet(loaded, fleet)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is false when any parameter differs: size, seed, id prefix, mix', () => {
    const fleet = createFleet({ size: 6, seed: 4 });
    expect(sameFleet(fleet, createFleet({ size: 7, seed: 4 }))).toBe(false);
    expect(sameFleet(fleet, createFleet({ size: 6, seed: 5 }))).toBe(false);
    expect(sameFleet(fleet, createFleet({ size: 6, seed: 4, idPrefix: 'OTHER' }))).toBe(false);
    expect(sameFleet(fleet, createFleet({ size: 6, seed: 4, mix: { wearable: 1 } }))).toBe(false);
    // One key changed in the file: not the same fleet.
    const text = JSON.stringify({
      format: 'tg-sim-fleet/1',
      seed: 4,
      devices: fleet.devices.map((d, i) => ({
        id: d.id,
        kind: d.kind,
        subject: d.subject,
        public_key: Buffer.from(d.publicKey).toString('base64'),
        secret_key: Buffer.from(i === 2 ? new Uint8Array(32).fill(9) : d.secretKey).toString('base64'),
      })),
    });
    expect(sameFleet(fleet, parseFleetFile(text))).toBe(false);
  });
});
