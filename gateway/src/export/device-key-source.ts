/**
 * Where an export finds the devices' public keys (spec section 8 `devices`): the registry's projection in the
 * state database. Every key a device ever held is listed (one `devices` row per key: proof-formats reads a
 * device listed twice as a key rotation, each entry verifying under one of its keys).
 */
import type { StateDatabase } from '../storage/state-database.js';
import { RegistryStore } from '../registry/registry-store.js';

export interface ExportDevice {
  readonly kind: string;
  /** Oldest first. */
  readonly publicKeys: readonly Uint8Array[];
}

export type DeviceKeySource = (deviceId: string) => ExportDevice | undefined;

export function registryDeviceKeys(db: StateDatabase): DeviceKeySource {
  let registry: RegistryStore | null;
  try {
    registry = new RegistryStore(db);
    registry.list({});
  } catch {
    // No registry tables: a log without registry projection (tests, or a gateway never started with one).
    registry = null;
  }
  return (deviceId) => {
    if (registry === null) return undefined;
    const device = registry.get(deviceId);
    if (device === undefined) return undefined;
    const keys = registry.keyHistory(deviceId).map((k) => k.publicKey);
    // A device enrolled without a key has none to list (spec section 8 requires `public_key`): it signs
    // nothing, and its `gatt:*` entries need no key to verify.
    return { kind: device.kind, publicKeys: keys.length > 0 ? keys : device.publicKey === null ? [] : [device.publicKey] };
  };
}
