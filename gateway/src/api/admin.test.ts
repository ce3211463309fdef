import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { DeviceRegistry } from '../registry/device-registry.js';
import { encodePublicKeyText } from '../registry/public-key-text.js';
import { RegistryAdmin } from '../registry/registry-admin.js';
import { registryProjection } from '../registry/registry-projection.js';
import { RegistryStore } from '../registry/registry-store.js';
import { openLogStore } from '../storage/log-store.js';
import { openAdmin } from './admin-open.js';
import { createLocalAdminOperations } from './admin-operations.js';
import { createAdminRoutes } from './admin-routes.js';
import { startAdminSocket } from './admin-socket.js';

const clock: Clock = { now: () => 1_750_000_000_000 };
const key = () => encodePublicKeyText(generateEd25519KeyPair().publicKey);

function dataDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'tg-admin-'));
}

describe('admin on a stopped gateway\'s data directory', () => {
  it('enrols, changes and lists devices, and the changes survive reopening', async () => {
    const dir = dataDir();
    const first = await openAdmin({ dataDir: dir, clock, holder: 'test' });
    expect(first.mode).toBe('local');
    const added = await first.operations.enrollDevice({ id: 'hr-1', public_key: key(), kind: 'wearable', subject: 'S-1' }, 'cli');
    expect(added).toMatchObject({ index: 0, device: { id: 'hr-1', status: 'active', subject: 'S-1', transports: ['mqtt'] } });
    await first.operations.changeDevice('hr-1', { op: 'suspend' }, 'cli');
    const imported = await first.operations.importDevices(`${JSON.stringify({ id: 'w-2', public_key: key(), kind: 'wearable' })}\n`, 'cli');
    expect(imported.enrolled).toEqual([{ id: 'w-2', index: 2 }]);
    await first.close();

    const second = await openAdmin({ dataDir: dir, clock, holder: 'test' });
    expect((await second.operations.listDevices()).map((d) => [d.id, d.status])).toEqual([
      ['hr-1', 'suspended'],
      ['w-2', 'active'],
    ]);
    const shown = await second.operations.showDevice('hr-1');
    expect(shown.changes.map((c) => c.op)).toEqual(['enroll', 'suspend']);
    await expect(second.operations.showDevice('nope')).rejects.toMatchObject({ code: 'E_REGISTRY_UNKNOWN_DEVICE' });
    await second.close();
  });

  it('refuses a data directory that does not exist', async () => {
    await expect(openAdmin({ dataDir: path.join(dataDir(), 'missing'), clock, holder: 'test' })).rejects.toMatchObject({ code: 'E_ADMIN_NO_DATA' });
  });
});

describe('admin on a running gateway, through its admin socket', () => {
  it('sends the same operations to the writer and brings its errors back', async () => {
    const dir = dataDir();
    // Stands in for the running gateway: it holds the writer lock and serves the admin routes.
    const store = openLogStore({ dataDir: dir, origin: 'test.example/gw', projections: [registryProjection] });
    const registryStore = new RegistryStore(store.db);
    const registry = new DeviceRegistry(store.log, registryStore.list());
    const operations = createLocalAdminOperations({ admin: new RegistryAdmin({ log: store.log, registry, clock }), store: registryStore, quarantine: store.log });
    const socket = await startAdminSocket(dir, createAdminRoutes(operations));
    expect(socket).not.toBeNull();
    try {
      const remote = await openAdmin({ dataDir: dir, clock, holder: 'test' });
      expect(remote.mode).toBe('gateway');
      const added = await remote.operations.enrollDevice({ id: 'hr-9', public_key: key(), kind: 'wearable' }, 'cli');
      expect(added.device.id).toBe('hr-9');
      expect(registry.get('hr-9')?.status).toBe('active');
      await remote.operations.changeDevice('hr-9', { op: 'set-transports', transports: ['mqtt', 'serial'] }, 'cli');
      expect(registry.get('hr-9')?.transports).toEqual(['mqtt', 'serial']);
      await expect(remote.operations.changeDevice('hr-9', { op: 'resume' }, 'cli')).rejects.toMatchObject({ code: 'E_REGISTRY_TRANSITION' });
      await expect(remote.operations.importDevices('{bad\n', 'cli')).rejects.toMatchObject({
        code: 'E_REGISTRY_IMPORT',
        details: { problems: [{ line: 1, message: 'not valid JSON' }] },
      });
      expect(await remote.operations.listQuarantine({ limit: 5 })).toEqual([]);
      expect((await remote.operations.showDevice('hr-9')).changes.map((c) => c.by)).toEqual(['cli', 'cli']);
    } finally {
      await socket?.close();
      registry.close();
      await store.close();
    }
  });
});
