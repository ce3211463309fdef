/**
 * Opens a data directory for `trialgate schedule`: directly when no gateway runs on it (the schedule is
 * logged now and sent when the gateway next runs), or through the running gateway's admin socket, since the
 * log has one writer (as api/admin-open.ts does for the registry).
 */
import { existsSync } from 'node:fs';
import { TrialgateError } from '@trialgate/firmware-protocol';
import { adminSocketPath } from '../api/admin-socket.js';
import type { Clock } from '../clock.js';
import { DeviceRegistry } from '../registry/device-registry.js';
import { registryProjection } from '../registry/registry-projection.js';
import { RegistryStore } from '../registry/registry-store.js';
import { isDataDirectoryLocked } from '../storage/data-directory-lock.js';
import { openLogStore } from '../storage/log-store.js';
import { isStorageError } from '../storage/storage-error.js';
import { DosingAdmin } from './dosing-admin.js';
import { createDosingClient } from './dosing-client.js';
import { createLocalDosingOperations, type DosingOperations } from './dosing-operations.js';
import { dosingProjection } from './dosing-projection.js';
import { DosingStore } from './dosing-store.js';

export interface OpenedDosing {
  readonly operations: DosingOperations;
  readonly mode: 'local' | 'gateway';
  close(): Promise<void>;
}

export async function openDosing(options: { readonly dataDir: string; readonly clock: Clock; readonly holder: string }): Promise<OpenedDosing> {
  if (!existsSync(options.dataDir)) {
    throw new TrialgateError('E_ADMIN_NO_DATA', `no data directory ${options.dataDir}: create it (or start the gateway once) first`, { details: { dataDir: options.dataDir } });
  }
  if (isDataDirectoryLocked(options.dataDir)) return viaGateway(options.dataDir);
  let store;
  try {
    store = openLogStore({ dataDir: options.dataDir, projections: [registryProjection, dosingProjection], lockHolder: options.holder });
  } catch (error) {
    if (isStorageError(error, 'E_STORAGE_LOCKED')) return viaGateway(options.dataDir);
    throw error;
  }
  const registry = new DeviceRegistry(store.log, new RegistryStore(store.db).list());
  const dosingStore = new DosingStore(store.db);
  const admin = new DosingAdmin({ log: store.log, registry, store: dosingStore, clock: options.clock });
  return {
    operations: createLocalDosingOperations({ admin, store: dosingStore }),
    mode: 'local',
    close: async () => {
      registry.close();
      await store.close();
    },
  };
}

function viaGateway(dataDir: string): OpenedDosing {
  const socket = adminSocketPath(dataDir);
  if (!existsSync(socket)) {
    throw new TrialgateError(
      'E_ADMIN_GATEWAY_RUNNING',
      `a gateway is running on ${dataDir} and offers no admin socket here (${socket}); use its HTTP API (/admin/schedules) with an admin token, or stop it first`,
      { details: { dataDir } },
    );
  }
  return { operations: createDosingClient(socket), mode: 'gateway', close: () => Promise.resolve() };
}
