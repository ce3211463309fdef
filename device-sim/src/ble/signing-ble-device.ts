/**
 * A signing device over BLE (a dispenser, or any device with a key): the Trialgate message service
 * (docs/ble.md). Its signed messages go up as fragments on the uplink characteristic (notifications) once
 * the gateway subscribes; acks, schedules and reminders come down as fragments written to the downlink
 * characteristic; everything else is the dispenser protocol (dispenser-protocol.ts), shared with the serial
 * dispenser. Faults: `cutNextMessageAfter(n)` sends only the first n fragments of the next message and then
 * drops the link (a disconnect in the middle of a message).
 */
import type { Logger } from 'pino';
import type { DeviceStore } from '../device/device-store.js';
import type { OutboxMessage } from '../device/outbox-message.js';
import type { GatewayKey } from '../downlink/gateway-key.js';
import type { Reading } from '../models/reading.js';
import { DispenserProtocol, type DispenserEvents, type ReminderView } from '../serial/dispenser-protocol.js';
import type { Clock } from '../time/clock.js';
import { BleMessageCollector, fragmentBleMessage, MESSAGE_DOWNLINK, MESSAGE_SERVICE, MESSAGE_UPLINK } from './ble-message-fragments.js';
import { SimPeripheral, type SimPeripheralOptions } from './sim-peripheral.js';

export interface SigningBleDeviceOptions extends SimPeripheralOptions {
  readonly identity: { readonly id: string; readonly secretKey: Uint8Array };
  readonly store: DeviceStore;
  readonly gatewayKey: GatewayKey;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly ackTimeoutMs?: number;
  readonly onReminder?: (reminder: ReminderView, atMs: number) => Reading | null;
  readonly events?: DispenserEvents;
}

export class SigningBleDevice extends SimPeripheral {
  readonly protocol: DispenserProtocol;
  private readonly collector = new BleMessageCollector();
  private cutAfter: number | null = null;
  private resendTimer: NodeJS.Timeout | undefined;

  constructor(options: SigningBleDeviceOptions) {
    super(options);
    this.protocol = new DispenserProtocol({
      identity: options.identity,
      store: options.store,
      gatewayKey: options.gatewayKey,
      clock: options.clock,
      logger: options.logger.child({ device: options.identity.id }),
      transmit: (bytes) => this.transmit(bytes),
      ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
      ...(options.onReminder === undefined ? {} : { onReminder: options.onReminder }),
      ...(options.events === undefined ? {} : { events: options.events }),
    });
    this.addService(MESSAGE_SERVICE, [
      { uuid: MESSAGE_UPLINK, properties: ['notify'] },
      { uuid: MESSAGE_DOWNLINK, properties: ['write'], onWrite: (value) => this.onDownlinkFragment(value) },
    ]);
    this.protocol.start();
    const interval = Math.max(50, Math.floor((options.ackTimeoutMs ?? 2000) / 2));
    this.resendTimer = setInterval(() => {
      if (this.isSubscribed(MESSAGE_SERVICE, MESSAGE_UPLINK)) this.protocol.transmitOverdue();
    }, interval);
    this.resendTimer.unref();
  }

  record(reading: Reading): Promise<OutboxMessage> {
    return this.protocol.record(reading);
  }

  /** Sends only `fragments` fragments of the next message, then drops the link. */
  cutNextMessageAfter(fragments: number): void {
    this.cutAfter = fragments;
  }

  stop(): void {
    clearInterval(this.resendTimer);
  }

  protected override subscribedHook(service: string, characteristic: string): void {
    if (service === MESSAGE_SERVICE && characteristic === MESSAGE_UPLINK) this.protocol.transmitAll();
  }

  protected override disconnectedHook(): void {
    this.collector.reset();
  }

  private transmit(bytes: Uint8Array): boolean {
    if (!this.isSubscribed(MESSAGE_SERVICE, MESSAGE_UPLINK)) return false;
    const fragments = fragmentBleMessage(bytes, this.mtu - 3);
    const cut = this.cutAfter;
    this.cutAfter = null;
    for (const [i, fragment] of fragments.entries()) {
      if (cut !== null && i >= cut) {
        this.dropConnection('remote user terminated connection');
        return true;
      }
      this.notify(MESSAGE_SERVICE, MESSAGE_UPLINK, fragment);
    }
    return true;
  }

  private onDownlinkFragment(value: Uint8Array): void {
    const message = this.collector.push(value);
    if (message !== null) this.protocol.receive(message);
  }
}
