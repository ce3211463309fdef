import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519PublicKey, isDeviceId } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { allocateKinds, parseDeviceMix } from './device-mix.js';
import { createFleet } from './fleet.js';
import { loadFleet, saveFleet } from './fleet-store.js';
import { formatRegistryImport } from './registry-import.js';

describe('createFleet', () => {
  it('makes N devices of the mix with valid ids, their own keys and pseudonymous subjects', () => {
    const fleet = createFleet({ size: 40, seed: 3 });
    expect(fleet.devices).toHaveLength(40);
    const kinds = new Map<string, number>();
    for (const d of fleet.devices) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
    expect(kinds.get('wearable')).toBe(14);
    expect(kinds.get('scale')).toBe(4);
    for (const d of fleet.devices) {
      expect(isDeviceId(d.id)).toBe(true);
      expect(d.subject).toMatch(/^SUBJ-[0-9]{4}$/);
      expect(ed25519PublicKey(d.secretKey)).toEqual(d.publicKey);
    }
    expect(new Set(fleet.devices.map((d) => d.id)).size).toBe(40);
    expect(new Set(fleet.devices.map((d) => Buffer.from(d.publicKey).toString('hex'))).size).toBe(40);
    // A subject has at most one device of a kind, and at most one dose device.
    const bySubject = new Map<string, string[]>();
    for (const d of fleet.devices) bySubject.set(d.subject, [...(bySubject.get(d.subject) ?? []), d.kind]);
    for (const kindsOfSubject of bySubject.values()) {
      const families = kindsOfSubject.map((k) => (k === 'pill_dispenser' || k === 'blister_pack' ? 'dose' : k));
      expect(new Set(families).size).toBe(families.length);
      expect(families.length).toBeLessThanOrEqual(3);
    }
  });

  it('is reproducible from its seed', () => {
    expect(createFleet({ size: 5, seed: 9 })).toEqual(createFleet({ size: 5, seed: 9 }));
    expect(createFleet({ size: 5, seed: 9 }).devices[0]?.publicKey).not.toEqual(createFleet({ size: 5, seed: 10 }).devices[0]?.publicKey);
  });

  it('refuses unusable sizes and prefixes', () => {
    expect(() => createFleet({ size: 0 })).toThrow(expect.objectContaining({ code: 'E_SIM_OPTION_INVALID' }));
    expect(() => createFleet({ size: 2, idPrefix: 'a/b' })).toThrow(expect.objectContaining({ code: 'E_SIM_OPTION_INVALID' }));
  });
});

describe('device mix', () => {
  it('allocates by largest remainder and interleaves kinds', () => {
    expect(allocateKinds(3, { wearable: 1, scale: 1, bp_cuff: 1 })).toEqual(['wearable', 'bp_cuff', 'scale']);
    expect(allocateKinds(7, parseDeviceMix('wearable=2,pill_dispenser=1'))).toEqual([
      'wearable', 'pill_dispenser', 'wearable', 'pill_dispenser', 'wearable', 'wearable', 'wearable',
    ]);
    expect(() => parseDeviceMix('robot=1')).toThrow(expect.objectContaining({ code: 'E_SIM_OPTION_INVALID' }));
    expect(() => parseDeviceMix('wearable=0')).toThrow(expect.objectContaining({ code: 'E_SIM_OPTION_INVALID' }));
  });
});

describe('provisioning files', () => {
  it('writes the registry import lines {id, public_key, kind, subject} with base64 keys and no secrets', () => {
    const fleet = createFleet({ size: 3, seed: 4 });
    const lines = formatRegistryImport(fleet).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines).toHaveLength(3);
    lines.forEach((line, i) => {
      const device = fleet.devices[i]!;
      expect(Object.keys(line)).toEqual(['id', 'public_key', 'kind', 'subject']);
      expect(line).toEqual({ id: device.id, public_key: Buffer.from(device.publicKey).toString('base64'), kind: device.kind, subject: device.subject });
    });
    expect(formatRegistryImport(fleet)).not.toContain(Buffer.from(fleet.devices[0]!.secretKey).toString('base64'));
  });

  it('saves the fleet (mode 0600) and loads it back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-sim-fleet-'));
    try {
      expect(await loadFleet(dir)).toBeUndefined();
      const fleet = createFleet({ size: 4, seed: 6 });
      const { fleetFile, importFile } = await saveFleet(dir, fleet);
      expect((await stat(fleetFile)).mode & 0o777).toBe(0o600);
      expect(await readFile(importFile, 'utf8')).toBe(formatRegistryImport(fleet));
      expect(await loadFleet(dir)).toEqual(fleet);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('parseFleetFile on arbitrary input', () => {
  it('returns a fleet or throws E_SIM_FLEET_INVALID, nothing else', async () => {
    const { parseFleetFile } = await import('./fleet-store.js');
    const fc = (await import('fast-check')).default;
    const check = (text: string): void => {
      try {
        parseFleetFile(text);
      } catch (error) {
        expect((error as { code?: string }).code).toBe('E_SIM_FLEET_INVALID');
      }
    };
    check('{"format":"tg-sim-fleet/1","devices":[null,1,"x"]}');
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 1000 });
    fc.assert(fc.property(fc.json(), check), { numRuns: 1000 });
    const devices = fc.array(
      fc.record({ id: fc.anything(), kind: fc.anything(), subject: fc.anything(), public_key: fc.anything(), secret_key: fc.anything() }, { requiredKeys: [] }),
      { maxLength: 3 },
    );
    fc.assert(fc.property(devices, fc.anything(), (list, seed) => check(JSON.stringify({ format: 'tg-sim-fleet/1', seed, devices: list }) ?? '')), { numRuns: 1000 });
  });
});
