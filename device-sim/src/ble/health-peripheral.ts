/**
 * A standard BLE health device (spec section 3): it cannot sign; it exposes Current Time (0x1805/0x2A2B)
 * read from its own clock (which may be off, or not set), and sends measurements as notifications or
 * indications. Like real cuffs and oximeters it keeps measurements taken while no central listens and sends
 * them once one subscribes (store and forward, in order).
 */
import { encodeCurrentTime, gattDateTimeOf } from '@trialgate/firmware-protocol';
import type { Clock } from '../time/clock.js';
import { SimPeripheral, type SimPeripheralOptions } from './sim-peripheral.js';

export interface HealthPeripheralOptions extends SimPeripheralOptions {
  readonly clock: Clock;
  /** The device clock's error: device time = gateway time + this (default 0). */
  readonly clockOffsetMs?: number;
  /** Its clock was never set: Current Time reads as year 0 (unknown). */
  readonly clockNotSet?: boolean;
  /** No Current Time service at all. */
  readonly withoutCurrentTime?: boolean;
}

export class HealthPeripheral extends SimPeripheral {
  protected readonly clock: Clock;
  clockOffsetMs: number;
  readonly clockNotSet: boolean;
  private readonly stored: { readonly service: string; readonly characteristic: string; readonly value: Uint8Array }[] = [];
  readonly sent: { readonly characteristic: string; readonly value: Uint8Array }[] = [];

  constructor(options: HealthPeripheralOptions) {
    super(options);
    this.clock = options.clock;
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.clockNotSet = options.clockNotSet === true;
    if (options.withoutCurrentTime !== true) {
      this.addService('1805', [{ uuid: '2a2b', properties: ['read', 'notify'], read: () => this.currentTime() }], false);
    }
  }

  /** The device's wall clock (ms). */
  deviceNow(): number {
    return this.clock.now() + this.clockOffsetMs;
  }

  /** Measurements waiting for a central. */
  get storedCount(): number {
    return this.stored.length;
  }

  /** Sends a value now if the central listens, else keeps it for the next subscription. */
  protected send(service: string, characteristic: string, value: Uint8Array): boolean {
    if (this.notify(service, characteristic, value)) {
      this.sent.push({ characteristic, value });
      return true;
    }
    this.stored.push({ service, characteristic, value });
    return false;
  }

  protected override subscribedHook(service: string, characteristic: string): void {
    const due = this.stored.filter((s) => s.service === service && s.characteristic === characteristic);
    for (const item of due) {
      if (!this.notify(item.service, item.characteristic, item.value)) break;
      this.stored.splice(this.stored.indexOf(item), 1);
      this.sent.push({ characteristic: item.characteristic, value: item.value });
    }
  }

  private currentTime(): Uint8Array {
    if (this.clockNotSet) return encodeCurrentTime({ dateTime: { year: 0, month: 0, day: 0, hours: 0, minutes: 0, seconds: 0 } });
    const { dateTime, fractions256 } = gattDateTimeOf(this.deviceNow());
    return encodeCurrentTime({ dateTime, fractions256, adjustReasonRaw: 0 });
  }
}
