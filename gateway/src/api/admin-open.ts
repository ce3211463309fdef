/**
 * Opens a data directory for the CLI's `devices` and `quarantine` commands: directly when no gateway runs
 * on it (the CLI takes the writer lock for the length of the command), or through the running gateway's
 * admin socket, since the log has one writer. Never both: a running gateway holds the lock.
 */
import { existsSync } from 'node:fs';
import { TrialgateError } from '@trialgate/firmware-protocol';
import type { Clock } from '../clock.js';
import { DeviceRegistry } from '../registry/device-registry.js';
import { RegistryAdmin } from '../registry/registry-admin.js';
import { registryProjection } from '../registry/registry-projection.js';
import { RegistryStore } from '../registry/registry-store.js';
import { isDataDirectoryLocked } from '../storage/data-directory-lock.js';
import { openLogStore } from '../storage/log-store.js';
import { isStorageError } from '../storage/storage-error.js';
import { createAdminClient } from './admin-client.js';
import { createLocalAdminOperations, type AdminOperations } from './admin-operations.js';
import { adminSocketPath } from './admin-socket.js';

export interface OpenedAdmin {
  readonly operations: AdminOperations;
  /** `local`: this process holds the data directory; `gateway`: requests go to the running gateway. */
  readonly mode: 'local' | 'gateway';
  close(): Promise<void>;
}

export interface OpenAdminOptions {
  readonly dataDir: string;
  readonly clock: Clock;
  /** Named in the lock while the command runs (e.g. `trialgate devices add`). */
  readonly holder: string;
}

export async function openAdmin(options: OpenAdminOptions): Promise<OpenedAdmin> {
  if (!existsSync(options.dataDir)) {
    throw new TrialgateError('E_ADMIN_NO_DATA', `no data directory ${options.dataDir}: create it (or start the gateway once) first`, {
      details: { dataDir: options.dataDir },
    });
  }
  if (isDataDirectoryLocked(options.dataDir)) return viaGateway(options.dataDir);
  let store;
  try {
    store = openLogStore({ dataDir: options.dataDir, projections: [registryProjection], lockHolder: options.holder });
  } catch (error) {
    // A gateway started between the check and the open.
    if (isStorageError(error, 'E_STORAGE_LOCKED')) return viaGateway(options.dataDir);
    throw error;
  }
  const registryStore = new RegistryStore(store.db);
  const registry = new DeviceRegistry(store.log, registryStore.list());
  const admin = new RegistryAdmin({ log: store.log, registry, clock: options.clock });
  return {
    operations: createLocalAdminOperations({ admin, store: registryStore, quarantine: store.log }),
    mode: 'local',
    close: async () => {
      registry.close();
      await store.close();
    },
  };
}

function viaGateway(dataDir: string): OpenedAdmin {
  const socket = adminSocketPath(dataDir);
  if (!existsSync(socket)) {
    throw new TrialgateError(
      'E_ADMIN_GATEWAY_RUNNING',
      `a gateway is running on ${dataDir} and offers no admin socket here (${socket}); use its HTTP API (/admin/...) with an admin token, or stop it first`,
      { details: { dataDir } },
    );
  }
  return { operations: createAdminClient(socket), mode: 'gateway', close: () => Promise.resolve() };
}
