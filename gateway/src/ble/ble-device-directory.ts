/**
 * Which registered device an advertising peripheral is (spec section 1; registry `set-ble`): by its
 * Bluetooth address first, else by the local name it advertises. Only devices whose registry record names
 * a BLE identity are ever connected; the index follows the registry's changes.
 */
import type { DeviceRecord } from '../registry/device-record.js';
import type { RegistryChangeListener } from '../registry/device-registry.js';

export interface BleDeviceDirectory {
  resolve(address: string, localName: string | undefined): DeviceRecord | undefined;
}

export interface RegistryForBle {
  list(): DeviceRecord[];
  get(deviceId: string): DeviceRecord | undefined;
  onChange(listener: RegistryChangeListener): () => void;
}

export class RegistryBleDirectory implements BleDeviceDirectory {
  private byAddress = new Map<string, string>();
  private byName = new Map<string, string>();
  private stale = true;
  private readonly unsubscribe: () => void;

  constructor(private readonly registry: RegistryForBle) {
    this.unsubscribe = registry.onChange(() => {
      this.stale = true;
    });
  }

  resolve(address: string, localName: string | undefined): DeviceRecord | undefined {
    if (this.stale) this.rebuild();
    const id = this.byAddress.get(address.toLowerCase()) ?? (localName === undefined ? undefined : this.byName.get(localName));
    return id === undefined ? undefined : this.registry.get(id);
  }

  close(): void {
    this.unsubscribe();
  }

  private rebuild(): void {
    this.byAddress = new Map();
    this.byName = new Map();
    for (const record of this.registry.list()) {
      if (record.ble?.address) this.byAddress.set(record.ble.address, record.id);
      if (record.ble?.name) this.byName.set(record.ble.name, record.id);
    }
    this.stale = false;
  }
}
