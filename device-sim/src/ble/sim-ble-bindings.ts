/**
 * A simulated Bluetooth adapter for noble: an object with the methods and events of noble's bindings
 * (lib/hci-socket/bindings.js), so that noble's own `Noble`, `Peripheral`, `Service` and `Characteristic`
 * classes run over it unchanged (`new Noble(bindings)`), driven by simulated peripherals (sim-peripheral.ts).
 *
 * Events are asynchronous, as on a real adapter: the state change after `init`, advertisements while
 * scanning (every `advertisingIntervalMs`, duplicates included when asked), connect and disconnect, service
 * and characteristic discovery, reads, writes (with response), subscriptions and notifications. Faults are
 * the peripherals' (out of range, refusing or ignoring connections, dropping the link).
 */
import { EventEmitter } from 'node:events';
import type { SimPeripheral } from './sim-peripheral.js';

export type SimAdapterState = 'poweredOn' | 'poweredOff' | 'unauthorized' | 'unsupported';

export interface SimBleBindingsOptions {
  /** The state reported after `init` (default poweredOn). */
  readonly state?: SimAdapterState;
  /** How often each peripheral advertises while scanning (default 50 ms). */
  readonly advertisingIntervalMs?: number;
  /** Delay of each answer (default 1 ms). */
  readonly latencyMs?: number;
}

export class SimBleBindings extends EventEmitter {
  private readonly peripherals = new Map<string, SimPeripheral>();
  private readonly options: Required<SimBleBindingsOptions>;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanFilter: readonly string[] = [];
  private allowDuplicates = false;
  private readonly seen = new Set<string>();
  private state: SimAdapterState | 'unknown' = 'unknown';
  readonly calls: string[] = [];
  readonly counters = { scansStarted: 0, scansStopped: 0, connects: 0, disconnects: 0, notifications: 0 };

  constructor(options: SimBleBindingsOptions = {}) {
    super();
    this.options = { state: options.state ?? 'poweredOn', advertisingIntervalMs: options.advertisingIntervalMs ?? 50, latencyMs: options.latencyMs ?? 1 };
  }

  /** Puts a peripheral in range. */
  add(peripheral: SimPeripheral): void {
    this.peripherals.set(peripheral.id, peripheral);
    peripheral.attach(this);
  }

  get isScanning(): boolean {
    return this.scanTimer !== undefined;
  }

  /** Changes the adapter state (a user switching Bluetooth off). */
  setState(state: SimAdapterState): void {
    this.state = state;
    if (state !== 'poweredOn') this.stopAdvertising();
    this.emit('stateChange', state);
  }

  // noble bindings API -----------------------------------------------------------------------------------

  init(): void {
    this.later(() => this.setState(this.options.state));
  }

  setScanParameters(): void {
    this.later(() => this.emit('scanParametersSet'));
  }

  startScanning(serviceUuids: readonly string[] | undefined, allowDuplicates: boolean | undefined): void {
    this.calls.push('startScanning');
    this.scanFilter = serviceUuids ?? [];
    this.allowDuplicates = allowDuplicates === true;
    this.seen.clear();
    this.counters.scansStarted += 1;
    this.stopAdvertising();
    this.scanTimer = setInterval(() => this.advertise(), this.options.advertisingIntervalMs);
    this.scanTimer.unref();
    this.later(() => {
      this.emit('scanStart', !this.allowDuplicates);
      this.advertise();
    });
  }

  stopScanning(): void {
    this.calls.push('stopScanning');
    this.counters.scansStopped += 1;
    this.stopAdvertising();
    this.later(() => this.emit('scanStop'));
  }

  connect(id: string): void {
    this.calls.push(`connect ${id}`);
    const peripheral = this.peripherals.get(id);
    if (peripheral === undefined || !peripheral.inRange) return; // No answer: the central's timeout decides.
    const verdict = peripheral.acceptConnection();
    if (verdict === 'ignore') return;
    this.later(() => {
      if (verdict === 'refuse') {
        this.emit('connect', id, new Error('connection refused by the peripheral'));
        return;
      }
      this.counters.connects += 1;
      peripheral.onConnected();
      this.emit('connect', id, null);
      this.emit('onMtu', id, peripheral.mtu);
    });
  }

  cancelConnect(id: string): void {
    this.calls.push(`cancelConnect ${id}`);
  }

  disconnect(id: string): void {
    this.calls.push(`disconnect ${id}`);
    this.dropLink(id, 'local');
  }

  /** The link ends from the peripheral's side (out of range, powered off, its own choice). */
  dropLink(id: string, reason: string): void {
    const peripheral = this.peripherals.get(id);
    if (peripheral === undefined || !peripheral.isConnected) return;
    peripheral.onDisconnected();
    this.counters.disconnects += 1;
    this.later(() => this.emit('disconnect', id, reason));
  }

  updateRssi(id: string): void {
    this.later(() => this.emit('rssiUpdate', id, -50));
  }

  discoverServices(id: string, uuids: readonly string[] | undefined): void {
    const peripheral = this.connected(id);
    if (peripheral === undefined) return;
    const all = peripheral.serviceUuids();
    const wanted = uuids === undefined || uuids.length === 0 ? all : all.filter((u) => uuids.includes(u));
    this.later(() => this.emit('servicesDiscover', id, wanted));
  }

  discoverIncludedServices(id: string, serviceUuid: string): void {
    this.later(() => this.emit('includedServicesDiscover', id, serviceUuid, []));
  }

  discoverCharacteristics(id: string, serviceUuid: string, uuids: readonly string[] | undefined): void {
    const peripheral = this.connected(id);
    if (peripheral === undefined) return;
    const all = peripheral.characteristicsOf(serviceUuid);
    const wanted = uuids === undefined || uuids.length === 0 ? all : all.filter((c) => uuids.includes(c.uuid));
    this.later(() => this.emit('characteristicsDiscover', id, serviceUuid, wanted.map((c) => ({ uuid: c.uuid, properties: [...c.properties] }))));
  }

  read(id: string, serviceUuid: string, characteristicUuid: string): void {
    const peripheral = this.connected(id);
    if (peripheral === undefined) return;
    const value = peripheral.read(serviceUuid, characteristicUuid);
    if (value === null) return; // The peripheral does not answer.
    this.later(() => this.emit('read', id, serviceUuid, characteristicUuid, Buffer.from(value), false));
  }

  write(id: string, serviceUuid: string, characteristicUuid: string, data: Buffer, withoutResponse: boolean): void {
    const peripheral = this.connected(id);
    if (peripheral === undefined) return;
    const bytes = new Uint8Array(data);
    this.later(() => {
      if (!peripheral.isConnected) return;
      peripheral.write(serviceUuid, characteristicUuid, bytes);
      if (!withoutResponse) this.emit('write', id, serviceUuid, characteristicUuid);
    });
  }

  broadcast(id: string, serviceUuid: string, characteristicUuid: string, broadcast: boolean): void {
    this.later(() => this.emit('broadcast', id, serviceUuid, characteristicUuid, broadcast));
  }

  notify(id: string, serviceUuid: string, characteristicUuid: string, enable: boolean): void {
    const peripheral = this.connected(id);
    if (peripheral === undefined) return;
    this.later(() => {
      if (!peripheral.isConnected) return;
      this.emit('notify', id, serviceUuid, characteristicUuid, enable);
      peripheral.setSubscribed(serviceUuid, characteristicUuid, enable);
    });
  }

  discoverDescriptors(id: string, serviceUuid: string, characteristicUuid: string): void {
    this.later(() => this.emit('descriptorsDiscover', id, serviceUuid, characteristicUuid, []));
  }

  readValue(): void {}
  writeValue(): void {}
  readHandle(): void {}
  writeHandle(): void {}

  reset(): void {
    this.stopAdvertising();
  }

  // Peripheral side ---------------------------------------------------------------------------------------

  /** A notification or indication from a connected peripheral (noble: 'read' with isNotification). */
  sendNotification(id: string, serviceUuid: string, characteristicUuid: string, value: Uint8Array): void {
    // Checked when sent: what was on the air before a drop still arrives before the disconnect event (both
    // are delivered in order), as on a real link.
    if (this.peripherals.get(id)?.isConnected !== true) return;
    this.counters.notifications += 1;
    const copy = Buffer.from(value);
    this.later(() => this.emit('read', id, serviceUuid, characteristicUuid, copy, true));
  }

  private connected(id: string): SimPeripheral | undefined {
    const peripheral = this.peripherals.get(id);
    return peripheral?.isConnected === true ? peripheral : undefined;
  }

  private advertise(): void {
    if (this.state !== 'poweredOn') return;
    for (const peripheral of this.peripherals.values()) {
      if (!peripheral.inRange || !peripheral.advertising || peripheral.isConnected) continue;
      const advertised = peripheral.advertisedServiceUuids;
      if (this.scanFilter.length > 0 && !advertised.some((u) => this.scanFilter.includes(u))) continue;
      if (!this.allowDuplicates && this.seen.has(peripheral.id)) continue;
      this.seen.add(peripheral.id);
      const advertisement = { localName: peripheral.localName, txPowerLevel: 0, manufacturerData: undefined, serviceData: [], serviceUuids: [...advertised], serviceSolicitationUuids: [] };
      this.emit('discover', peripheral.id, peripheral.address, 'public', true, advertisement, -55, true);
    }
  }

  private stopAdvertising(): void {
    if (this.scanTimer !== undefined) clearInterval(this.scanTimer);
    this.scanTimer = undefined;
  }

  private later(action: () => void): void {
    const timer = setTimeout(action, this.options.latencyMs);
    timer.unref();
  }
}
