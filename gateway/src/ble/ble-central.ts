/**
 * The BLE central of `trialgate gateway --ble` (spec section 3; docs/ble.md): noble's event flow, driven by
 * the site's behaviour rules.
 *
 *   adapter poweredOn -> scan (health services + message service, duplicates reported, so a device that
 *   went away is seen again) -> discover -> registry (set-ble: address or advertised name; active, `ble`
 *   allowed) -> one queued operation: pause scanning, connect, discover services and characteristics, read
 *   Current Time (0x2A2B) -> `clock-offset` gateway entry, subscribe (notifications and indications)
 *   -> scanning resumes when the queue is idle.
 *
 * Values of the standard measurement characteristics are logged as received, one `gatt:<uuid>` entry each
 * (transport `ble`, the device the registry names), after checking that they decode (a value that does not
 * is quarantined with its E_GATT_* reason, never logged as a reading). The message service carries signed
 * device messages in fragments: reassembled (bounded, timed out), ingested exactly like an MQTT message
 * with the registry's device as the sender, and acknowledged by a written `ack` once durable.
 *
 * Every step has a timeout; a disconnect fails the step at once; a device that disconnects or fails a step is
 * reconnected after jittered exponential backoff, on its next advertisement. A message cut by a disconnect
 * is quarantined as E_BLE_INCOMPLETE, never half-logged.
 */
import { decodeGattValue, isTrialgateError } from '@trialgate/firmware-protocol';
import type { Logger } from 'pino';
import type { TimerPort } from '../checkpoints/timer-port.js';
import type { Clock } from '../clock.js';
import { messageDigest, signAck } from '../downlink/ack-message.js';
import type { DownlinkSigner } from '../downlink/downlink-signer.js';
import type { DownlinkRoute } from '../dosing/downlink-router.js';
import type { IngestMessage, IngestRejection } from '../ingest/ingest-message.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import type { DeviceRecord } from '../registry/device-record.js';
import type { RegistryLookup } from '../registry/device-registry.js';
import type { GatewayLog } from '../storage/gateway-log.js';
import { backoffDelayMs, DEFAULT_REOPEN_BACKOFF, type BackoffPolicy, type RandomSource } from '../serial/reopen-backoff.js';
import { ackForOutcome } from '../serial/serial-ack.js';
import type { BleDeviceDirectory } from './ble-device-directory.js';
import { BleError } from './ble-error.js';
import { fragmentMessage, MIN_FRAGMENT_SIZE } from './ble-fragment.js';
import { BleOperationQueue, withTimeout } from './ble-operation-queue.js';
import { MessageReassembler, type ReassemblyResult } from './ble-reassembler.js';
import { MEASUREMENT_CHARACTERISTICS, MESSAGE_DOWNLINK_UUID, MESSAGE_SERVICE_UUID, MESSAGE_UPLINK_UUID, nobleUuid, SCAN_SERVICE_UUIDS } from './ble-uuids.js';
import { clockOffsetLogEntry, clockOffsetOf } from './clock-offset-entry.js';
import type { AdapterState, Characteristic, NobleLike, Peripheral } from './noble-like.js';

export interface BleTimeouts {
  /** The adapter must report poweredOn within this (else E_BLE_ADAPTER_STATE). */
  readonly poweredOnMs: number;
  readonly scanMs: number;
  readonly connectMs: number;
  readonly discoverMs: number;
  readonly readMs: number;
  readonly subscribeMs: number;
  readonly writeMs: number;
}

export const DEFAULT_BLE_TIMEOUTS: BleTimeouts = { poweredOnMs: 10_000, scanMs: 5_000, connectMs: 15_000, discoverMs: 10_000, readMs: 5_000, subscribeMs: 5_000, writeMs: 5_000 };

export interface BleCentralDependencies {
  readonly noble: NobleLike;
  readonly directory: BleDeviceDirectory;
  readonly registry: RegistryLookup;
  readonly log: Pick<GatewayLog, 'append'>;
  readonly pipeline: Pick<IngestPipeline, 'ingest' | 'reject'>;
  readonly signer: DownlinkSigner;
  readonly clock: Clock;
  readonly timers: TimerPort;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly maxMessageBytes: number;
  readonly timeouts?: Partial<BleTimeouts>;
  readonly backoff?: BackoffPolicy;
  /** A message-service message not complete this long after its first fragment is abandoned (default 10 s). */
  readonly reassemblyTimeoutMs?: number;
  /** A device with the message service connected: downlink messages can be written to it. */
  readonly onReachable?: (deviceId: string) => void;
}

interface Session {
  readonly deviceId: string;
  readonly peripheral: Peripheral;
  readonly source: string;
  readonly reassembler: MessageReassembler;
  readonly characteristics: Characteristic[];
  downlink: Characteristic | null;
  /** Set up: discovered, clock read, subscribed. */
  ready: boolean;
  closed: boolean;
}

export class BleCentral {
  readonly route: DownlinkRoute;
  readonly counters = { discovered: 0, connects: 0, connectFailures: 0, disconnects: 0, values: 0, valuesRefused: 0, messages: 0, fragmentsRefused: 0, acks: 0, clockReads: 0 };
  private readonly deps: BleCentralDependencies;
  private readonly timeouts: BleTimeouts;
  private readonly log: Logger;
  private readonly queue: BleOperationQueue;
  private readonly sessions = new Map<string, Session>();
  private readonly byDevice = new Map<string, Session>();
  private readonly connecting = new Set<string>();
  private readonly backoffs = new Map<string, { readonly at: number; readonly attempt: number }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly ignored = new Set<string>();
  private accepting = false;
  private scanning = false;
  private expiryTimer: unknown = null;
  private readonly onStateChange = (state: AdapterState): void => this.stateChanged(state);
  private readonly onDiscover = (peripheral: Peripheral): void => this.discovered(peripheral);
  private readonly onWarning = (message: string): void => this.log.debug({ event: 'noble_warning', warning: message }, 'noble warning');

  constructor(deps: BleCentralDependencies) {
    this.deps = deps;
    this.timeouts = { ...DEFAULT_BLE_TIMEOUTS, ...deps.timeouts };
    this.log = deps.logger;
    this.queue = new BleOperationQueue(deps.timers, { beforeFirst: () => this.pauseScan(), whenIdle: () => void this.resumeScan() });
    this.route = {
      transport: 'ble',
      canReach: (deviceId) => {
        const session = this.byDevice.get(deviceId);
        return session !== undefined && session.ready && !session.closed && session.downlink !== null;
      },
      send: (deviceId, bytes) => {
        const session = this.byDevice.get(deviceId);
        if (session === undefined || session.closed) return Promise.reject(new BleError('E_BLE_DISCONNECTED', `device ${deviceId} is not connected over BLE`));
        return this.writeMessage(session, bytes);
      },
    };
  }

  /** Devices connected and set up (subscribed) now. */
  get connected(): readonly string[] {
    return [...this.byDevice.values()].filter((s) => s.ready && !s.closed).map((s) => s.deviceId).sort();
  }

  /** Waits for the adapter (E_BLE_ADAPTER_STATE when it is not usable in time), then scans. */
  async start(): Promise<void> {
    const noble = this.deps.noble;
    noble.on('warning', this.onWarning);
    const poweredOn = new Promise<void>((resolve) => {
      const check = (state: AdapterState): void => {
        if (state === 'poweredOn') {
          noble.removeListener('stateChange', check);
          resolve();
        }
      };
      noble.on('stateChange', check);
    });
    noble.on('stateChange', this.onStateChange);
    noble.on('discover', this.onDiscover);
    try {
      // Reading `state` initialises the bindings when no listener did.
      if (noble.state !== 'poweredOn') await withTimeout(this.deps.timers, 'waiting for the Bluetooth adapter', this.timeouts.poweredOnMs, poweredOn);
    } catch (cause) {
      this.detach();
      throw new BleError('E_BLE_ADAPTER_STATE', `the Bluetooth adapter is not ready (state ${noble.state}): power it on, or check permissions (CAP_NET_RAW)`, {
        cause,
        details: { state: noble.state },
      });
    }
    this.accepting = true;
    this.scheduleExpiry();
    await this.resumeScan();
    this.log.info({ event: 'ble_scanning', services: SCAN_SERVICE_UUIDS.length }, 'BLE: scanning for health devices');
  }

  /** Stops scanning and connecting; values and messages already received finish. */
  async stopAccepting(): Promise<void> {
    this.accepting = false;
    await this.pauseScan();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Disconnects every device and detaches from noble. */
  async close(): Promise<void> {
    await this.stopAccepting();
    if (this.expiryTimer !== null) this.deps.timers.clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    await Promise.allSettled(
      [...this.sessions.values()].map((session) => withTimeout(this.deps.timers, 'disconnect', this.timeouts.connectMs, session.peripheral.disconnectAsync())),
    );
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.detach();
  }

  private detach(): void {
    const noble = this.deps.noble;
    noble.removeListener('stateChange', this.onStateChange);
    noble.removeListener('discover', this.onDiscover);
    noble.removeListener('warning', this.onWarning);
  }

  private stateChanged(state: AdapterState): void {
    if (state === 'poweredOn') {
      if (this.accepting) {
        this.log.info({ event: 'ble_adapter_ready' }, 'BLE: the adapter is powered on');
        void this.resumeScan();
      }
      return;
    }
    this.scanning = false;
    this.log.warn({ event: 'ble_adapter_state', state }, `BLE: the adapter is ${state}; waiting for it`);
  }

  private async pauseScan(): Promise<void> {
    if (!this.scanning) return;
    this.scanning = false;
    try {
      await withTimeout(this.deps.timers, 'stop scanning', this.timeouts.scanMs, this.deps.noble.stopScanningAsync());
    } catch (error) {
      this.log.debug({ event: 'ble_scan_stop_failed', err: error }, 'BLE: stopping the scan failed');
    }
  }

  private async resumeScan(): Promise<void> {
    if (!this.accepting || this.scanning || this.queue.size > 0 || this.deps.noble.state !== 'poweredOn') return;
    this.scanning = true;
    try {
      await withTimeout(this.deps.timers, 'start scanning', this.timeouts.scanMs, this.deps.noble.startScanningAsync([...SCAN_SERVICE_UUIDS], true));
    } catch (error) {
      this.scanning = false;
      this.log.warn({ event: 'ble_scan_failed', err: error }, 'BLE: scanning could not start; retrying on the next change');
    }
  }

  private discovered(peripheral: Peripheral): void {
    if (!this.accepting || this.sessions.has(peripheral.id) || this.connecting.has(peripheral.id)) return;
    this.counters.discovered += 1;
    const address = (peripheral.address ?? '').toLowerCase();
    const name = peripheral.advertisement?.localName;
    const device = this.deps.directory.resolve(address, typeof name === 'string' ? name : undefined);
    if (device === undefined || device.status !== 'active' || !device.transports.includes('ble')) {
      const key = `${address}|${String(name)}`;
      if (!this.ignored.has(key) && this.ignored.size < 1000) {
        this.ignored.add(key);
        this.log.debug({ event: 'ble_ignored', address, registered: device !== undefined }, 'BLE: a peripheral that is not an active registered BLE device');
      }
      return;
    }
    if (this.byDevice.has(device.id)) return;
    const backoff = this.backoffs.get(device.id);
    if (backoff !== undefined && this.deps.clock.now() < backoff.at) return;
    this.connecting.add(peripheral.id);
    this.track(
      this.connect(peripheral, device).finally(() => {
        this.connecting.delete(peripheral.id);
      }),
    );
  }

  private async connect(peripheral: Peripheral, device: DeviceRecord): Promise<void> {
    const source = `ble:${peripheral.address || peripheral.id}`;
    const session: Session = {
      deviceId: device.id,
      peripheral,
      source,
      reassembler: new MessageReassembler(this.deps.maxMessageBytes, this.deps.reassemblyTimeoutMs ?? 10_000),
      characteristics: [],
      downlink: null,
      ready: false,
      closed: false,
    };
    const t = this.timeouts;
    let step = 'connect';
    let gone: ((error: BleError) => void) | null = null;
    const disconnected = new Promise<never>((_, reject) => {
      gone = reject;
    });
    disconnected.catch(() => undefined);
    const onDisconnect = (reason: unknown): void => {
      gone?.(new BleError('E_BLE_DISCONNECTED', `the device disconnected during ${step}`, { details: { reason: String(reason ?? '') } }));
      this.ended(session);
    };
    const run = <T>(name: string, ms: number, operation: () => Promise<T>): Promise<T> => {
      step = name;
      return withTimeout(this.deps.timers, name, ms, Promise.race([operation(), disconnected]));
    };
    try {
      await this.queue.run(`set up ${device.id}`, t.connectMs + t.discoverMs * 4 + t.readMs + t.subscribeMs * 4, async () => {
        try {
          await run('connect', t.connectMs, () => peripheral.connectAsync());
        } catch (error) {
          peripheral.cancelConnect();
          throw error;
        }
        this.sessions.set(peripheral.id, session);
        this.byDevice.set(device.id, session);
        peripheral.once('disconnect', onDisconnect);
        const services = await run('service discovery', t.discoverMs, () => peripheral.discoverServicesAsync([]));
        let currentTime: Characteristic | undefined;
        const toSubscribe: { readonly characteristic: Characteristic; readonly kind: 'value' | 'uplink' }[] = [];
        for (const service of services) {
          const serviceUuid = nobleUuid(service.uuid);
          const measurements = MEASUREMENT_CHARACTERISTICS[serviceUuid];
          const isMessage = serviceUuid === MESSAGE_SERVICE_UUID;
          if (measurements === undefined && !isMessage && serviceUuid !== '1805') continue;
          const characteristics = await run(`characteristic discovery ${serviceUuid}`, t.discoverMs, () => service.discoverCharacteristicsAsync([]));
          for (const characteristic of characteristics) {
            const uuid = nobleUuid(characteristic.uuid);
            const notifies = characteristic.properties.includes('notify') || characteristic.properties.includes('indicate');
            if (uuid === '2a2b') currentTime = characteristic;
            else if (measurements?.includes(uuid) === true && notifies) toSubscribe.push({ characteristic, kind: 'value' });
            else if (isMessage && uuid === MESSAGE_UPLINK_UUID && notifies) toSubscribe.push({ characteristic, kind: 'uplink' });
            else if (isMessage && uuid === MESSAGE_DOWNLINK_UUID) session.downlink = characteristic;
          }
        }
        if (currentTime !== undefined) {
          const characteristic = currentTime;
          const raw = await run('read Current Time 0x2A2B', t.readMs, () => characteristic.readAsync());
          this.track(this.recordClock(session, new Uint8Array(raw)));
        }
        for (const { characteristic, kind } of toSubscribe) {
          const uuid = nobleUuid(characteristic.uuid);
          const listener =
            kind === 'value'
              ? (data: Buffer, isNotification: boolean) => {
                  if (isNotification) this.track(this.onValue(session, uuid, new Uint8Array(data)));
                }
              : (data: Buffer, isNotification: boolean) => {
                  if (isNotification) this.onFragment(session, new Uint8Array(data));
                };
          characteristic.on('data', listener);
          session.characteristics.push(characteristic);
          await run(`subscribe ${uuid}`, t.subscribeMs, () => characteristic.subscribeAsync());
        }
        if (toSubscribe.length === 0 && session.downlink === null) throw new BleError('E_BLE_OPERATION', 'the device offers no measurement characteristic and no message service');
      });
    } catch (error) {
      this.counters.connectFailures += 1;
      const message = isTrialgateError(error) ? error.message : error instanceof Error ? error.message : String(error);
      this.log.warn({ event: 'ble_connect_failed', deviceId: device.id, step, err: message }, `BLE: ${device.id} failed at ${step}: ${message}`);
      peripheral.removeListener('disconnect', onDisconnect);
      this.ended(session);
      if (peripheral.state === 'connected' || peripheral.state === 'connecting') {
        try {
          await withTimeout(this.deps.timers, 'disconnect', t.connectMs, peripheral.disconnectAsync());
        } catch {
          // Best effort: the adapter forgets the link when the device goes.
        }
      }
      return;
    }
    if (session.closed) return;
    session.ready = true;
    this.counters.connects += 1;
    this.backoffs.delete(device.id);
    this.log.info(
      { event: 'ble_connected', deviceId: device.id, values: session.characteristics.length, messages: session.downlink !== null, mtu: peripheral.mtu },
      `BLE: ${device.id} connected`,
    );
    if (session.downlink !== null) this.deps.onReachable?.(device.id);
  }

  /** The session is over (disconnect or failed set-up): cleanup once, quarantine a cut message, back off. */
  private ended(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    if (this.sessions.get(session.peripheral.id) === session) this.sessions.delete(session.peripheral.id);
    if (this.byDevice.get(session.deviceId) === session) this.byDevice.delete(session.deviceId);
    for (const characteristic of session.characteristics) characteristic.removeAllListeners('data');
    this.counters.disconnects += 1;
    const cut = session.reassembler.disconnected();
    if (cut?.kind === 'refused') this.track(this.refuseFragments(session, cut));
    const previous = this.backoffs.get(session.deviceId);
    const attempt = previous === undefined ? 0 : previous.attempt + 1;
    const delay = backoffDelayMs(attempt, this.deps.backoff ?? DEFAULT_REOPEN_BACKOFF, this.deps.random);
    this.backoffs.set(session.deviceId, { at: this.deps.clock.now() + delay, attempt });
    if (this.accepting) this.log.warn({ event: 'ble_disconnected', deviceId: session.deviceId, reconnectAfterMs: delay }, `BLE: ${session.deviceId} disconnected; reconnecting after ${delay} ms`);
  }

  private async recordClock(session: Session, raw: Uint8Array): Promise<void> {
    const now = this.deps.clock.now();
    try {
      const record = clockOffsetOf(session.deviceId, raw, now);
      await this.deps.log.append(clockOffsetLogEntry(record, now));
      this.counters.clockReads += 1;
      this.log.info({ event: 'ble_clock_offset', deviceId: session.deviceId, offsetMs: record.offsetMs }, 'BLE: device clock compared with the gateway clock');
    } catch (error) {
      if (!isTrialgateError(error) || !error.code.startsWith('E_GATT_')) {
        this.log.error({ event: 'ble_clock_log_failed', deviceId: session.deviceId, err: error }, 'BLE: could not log the clock offset');
        return;
      }
      await this.quarantine(session, raw, now, { reason: error.code, message: `Current Time 0x2A2B: ${error.message}`, deviceId: session.deviceId, seq: null, impersonation: false, details: { uuid: '2a2b' } });
    }
  }

  private async onValue(session: Session, uuid: string, bytes: Uint8Array): Promise<void> {
    const receivedAtMs = this.deps.clock.now();
    const refusal = this.deviceRefusal(session.deviceId);
    if (refusal !== null) {
      this.counters.valuesRefused += 1;
      await this.quarantine(session, bytes, receivedAtMs, refusal);
      void session.peripheral.disconnectAsync().catch(() => undefined);
      return;
    }
    try {
      // Attacker-controlled: the value as the peripheral sent it. Decoded only to refuse what is no value.
      decodeGattValue(uuid, bytes);
    } catch (error) {
      this.counters.valuesRefused += 1;
      const reason = isTrialgateError(error) ? error.code : 'E_GATT_INVALID';
      await this.quarantine(session, bytes, receivedAtMs, { reason, message: isTrialgateError(error) ? error.message : 'undecodable value', deviceId: session.deviceId, seq: null, impersonation: false, details: { uuid } });
      return;
    }
    try {
      await this.deps.log.append({ receivedAtMs, transport: 'ble', deviceId: session.deviceId, contentType: `gatt:${uuid}`, original: bytes });
      this.counters.values += 1;
    } catch (error) {
      this.log.error({ event: 'ble_value_log_failed', deviceId: session.deviceId, uuid, err: error }, 'BLE: a value could not be logged');
    }
  }

  private onFragment(session: Session, fragment: Uint8Array): void {
    for (const result of session.reassembler.push(fragment, this.deps.clock.now())) {
      if (result.kind === 'message') this.track(this.onMessage(session, result.bytes));
      else if (result.kind === 'refused') this.track(this.refuseFragments(session, result));
    }
  }

  private async onMessage(session: Session, bytes: Uint8Array): Promise<void> {
    this.counters.messages += 1;
    const message: IngestMessage = { transport: 'ble', bytes, receivedAtMs: this.deps.clock.now(), senderDeviceId: session.deviceId, source: session.source };
    let outcome;
    try {
      outcome = await this.deps.pipeline.ingest(message);
    } catch (error) {
      this.log.warn({ event: 'ingest_failed', deviceId: session.deviceId, err: error }, 'BLE: a message could not be decided; not acknowledged');
      return;
    }
    if (outcome.status === 'quarantined' && outcome.impersonation) {
      // Spec section 7: acting as another device is answered by closing the connection, without an ack.
      void session.peripheral.disconnectAsync().catch(() => undefined);
      return;
    }
    const addressed = ackForOutcome(outcome, messageDigest(bytes));
    if (addressed === null || session.closed) return;
    try {
      await this.writeMessage(session, signAck({ dev: addressed.deviceId, t: this.deps.clock.now(), ack: addressed.ack }, this.deps.signer));
      this.counters.acks += 1;
    } catch (error) {
      this.log.debug({ event: 'ble_ack_failed', deviceId: session.deviceId, err: error }, 'BLE: the ack could not be written; the device resends');
    }
  }

  private async refuseFragments(session: Session, result: Extract<ReassemblyResult, { kind: 'refused' }>): Promise<void> {
    this.counters.fragmentsRefused += 1;
    await this.quarantine(session, result.partial, this.deps.clock.now(), {
      reason: result.error.code,
      message: result.error.message,
      deviceId: session.deviceId,
      seq: null,
      impersonation: false,
      details: result.error.details,
    });
  }

  /** Writes a signed downlink message (an ack, a schedule, a reminder) as fragments, one queued operation. */
  private writeMessage(session: Session, bytes: Uint8Array): Promise<void> {
    const characteristic = session.downlink;
    if (characteristic === null) return Promise.reject(new BleError('E_BLE_OPERATION', `device ${session.deviceId} has no message service`));
    const size = Math.max(MIN_FRAGMENT_SIZE, (session.peripheral.mtu ?? 23) - 3);
    const fragments = fragmentMessage(bytes, size);
    return this.queue.run(`write to ${session.deviceId}`, this.timeouts.writeMs * fragments.length, async () => {
      for (const fragment of fragments) {
        if (session.closed) throw new BleError('E_BLE_DISCONNECTED', `device ${session.deviceId} disconnected during a write`);
        await characteristic.writeAsync(Buffer.from(fragment), false);
      }
    });
  }

  private deviceRefusal(deviceId: string): IngestRejection | null {
    const device = this.deps.registry.get(deviceId);
    const base = { deviceId, seq: null, impersonation: false };
    if (device === undefined) return { ...base, reason: 'E_DEVICE_UNKNOWN', message: `device ${deviceId} is not enrolled` };
    if (device.status !== 'active') return { ...base, reason: device.status === 'suspended' ? 'E_DEVICE_SUSPENDED' : 'E_DEVICE_RETIRED', message: `device ${deviceId} is ${device.status}` };
    if (!device.transports.includes('ble')) return { ...base, reason: 'E_DEVICE_TRANSPORT', message: `device ${deviceId} is not allowed to send over ble` };
    return null;
  }

  private async quarantine(session: Session, bytes: Uint8Array, receivedAtMs: number, rejection: IngestRejection): Promise<void> {
    try {
      await this.deps.pipeline.reject({ transport: 'ble', bytes, receivedAtMs, senderDeviceId: session.deviceId, source: session.source }, rejection);
    } catch (error) {
      this.log.error({ event: 'quarantine_failed', deviceId: session.deviceId, err: error }, 'BLE: could not quarantine');
    }
  }

  private scheduleExpiry(): void {
    this.expiryTimer = this.deps.timers.setTimeout(() => {
      const now = this.deps.clock.now();
      for (const session of this.sessions.values()) {
        const expired = session.reassembler.expire(now);
        if (expired?.kind === 'refused') this.track(this.refuseFragments(session, expired));
      }
      if (this.accepting) this.scheduleExpiry();
    }, 1000);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}
