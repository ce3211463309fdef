/**
 * A simulated BLE peripheral: its GATT table (services, characteristics with their properties, values to
 * read, handlers of writes), its advertising, its connection state, and fault knobs (out of range, refusing
 * or ignoring connection attempts, not answering reads, dropping the link). Concrete devices extend it.
 */
import type { SimBleBindings } from './sim-ble-bindings.js';

export type CharacteristicProperty = 'read' | 'write' | 'writeWithoutResponse' | 'notify' | 'indicate';

export interface SimCharacteristic {
  readonly uuid: string;
  readonly properties: readonly CharacteristicProperty[];
  /** The value a read returns; null: the peripheral does not answer (a timeout for the central). */
  readonly read?: () => Uint8Array | null;
  readonly onWrite?: (value: Uint8Array) => void;
}

export interface SimPeripheralOptions {
  /** Bluetooth device address, `aa:bb:cc:dd:ee:ff`. */
  readonly address: string;
  readonly localName: string;
  /** The ATT MTU negotiated on connection (default 23: 20-byte values). */
  readonly mtu?: number;
}

export class SimPeripheral {
  readonly id: string;
  readonly address: string;
  readonly localName: string;
  readonly mtu: number;
  inRange = true;
  advertising = true;
  /** `accept` (default), `refuse` (an error), `ignore` (no answer, as when the device is busy). */
  connectionPolicy: 'accept' | 'refuse' | 'ignore' = 'accept';
  protected bindings: SimBleBindings | null = null;
  private readonly services = new Map<string, Map<string, SimCharacteristic>>();
  private readonly advertised: string[] = [];
  private readonly subscribed = new Set<string>();
  private connected = false;
  readonly counters = { connections: 0, disconnections: 0 };

  constructor(options: SimPeripheralOptions) {
    this.address = options.address.toLowerCase();
    this.id = this.address.replace(/:/g, '');
    this.localName = options.localName;
    this.mtu = options.mtu ?? 23;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  get advertisedServiceUuids(): readonly string[] {
    return this.advertised;
  }

  attach(bindings: SimBleBindings): void {
    this.bindings = bindings;
  }

  addService(uuid: string, characteristics: readonly SimCharacteristic[], advertised = true): void {
    this.services.set(uuid, new Map(characteristics.map((c) => [c.uuid, c])));
    if (advertised) this.advertised.push(uuid);
  }

  serviceUuids(): string[] {
    return [...this.services.keys()];
  }

  characteristicsOf(serviceUuid: string): SimCharacteristic[] {
    return [...(this.services.get(serviceUuid)?.values() ?? [])];
  }

  isSubscribed(serviceUuid: string, characteristicUuid: string): boolean {
    return this.connected && this.subscribed.has(`${serviceUuid}/${characteristicUuid}`);
  }

  /** Ends the link from this side (walking out of range, a battery change). */
  dropConnection(reason = 'remote user terminated connection'): void {
    this.bindings?.dropLink(this.id, reason);
  }

  // Called by the bindings -------------------------------------------------------------------------------

  acceptConnection(): 'accept' | 'refuse' | 'ignore' {
    return this.connectionPolicy;
  }

  onConnected(): void {
    this.connected = true;
    this.counters.connections += 1;
    this.connectedHook();
  }

  onDisconnected(): void {
    this.connected = false;
    this.subscribed.clear();
    this.counters.disconnections += 1;
    this.disconnectedHook();
  }

  read(serviceUuid: string, characteristicUuid: string): Uint8Array | null {
    const characteristic = this.services.get(serviceUuid)?.get(characteristicUuid);
    return characteristic?.read?.() ?? null;
  }

  write(serviceUuid: string, characteristicUuid: string, value: Uint8Array): void {
    this.services.get(serviceUuid)?.get(characteristicUuid)?.onWrite?.(value);
  }

  setSubscribed(serviceUuid: string, characteristicUuid: string, enabled: boolean): void {
    const key = `${serviceUuid}/${characteristicUuid}`;
    if (enabled) this.subscribed.add(key);
    else this.subscribed.delete(key);
    if (enabled) this.subscribedHook(serviceUuid, characteristicUuid);
  }

  // For subclasses ---------------------------------------------------------------------------------------

  /** Sends a value as a notification or indication if the central subscribed; false when it did not. */
  protected notify(serviceUuid: string, characteristicUuid: string, value: Uint8Array): boolean {
    if (this.bindings === null || !this.isSubscribed(serviceUuid, characteristicUuid)) return false;
    this.bindings.sendNotification(this.id, serviceUuid, characteristicUuid, value);
    return true;
  }

  protected connectedHook(): void {}
  protected disconnectedHook(): void {}
  protected subscribedHook(_serviceUuid: string, _characteristicUuid: string): void {}
}
