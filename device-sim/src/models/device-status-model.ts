import { chance, clamp, integerBetween, pick, uniform, type Random } from '../random/random.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../time/local-time.js';
import type { DeviceKind } from './device-kind.js';
import type { Reading } from './reading.js';

/** Battery drain per day by kind, percent: a watch needs charging daily, a scale lasts months. */
const DRAIN_PER_DAY: Record<DeviceKind, number> = {
  wearable: 38,
  bp_cuff: 3,
  glucose_meter: 1.5,
  scale: 0.5,
  pill_dispenser: 6,
  blister_pack: 1,
};

const FIRMWARE: Record<DeviceKind, readonly string[]> = {
  wearable: ['3.2.1', '3.2.2'],
  bp_cuff: ['1.8.0'],
  glucose_meter: ['2.0.4', '2.1.0'],
  scale: ['1.1.3'],
  pill_dispenser: ['4.0.2', '4.1.0'],
  blister_pack: ['0.9.7'],
};

/** How the device clock was last set (`clock_sync`, spec section 2). */
const CLOCK_SYNC_SOURCES = ['gateway', 'ntp', 'ble-cts'] as const;

/**
 * `device_status` reports: battery level (with recharges or battery swaps below 15 %), firmware version, and
 * how the device clock was last set. Sent at boot and every few hours.
 */
export class DeviceStatusModel {
  private readonly kind: DeviceKind;
  private readonly random: Random;
  private readonly firmware: string;
  private battery: number;
  private lastMs: number | undefined;
  private clockSync: string;

  constructor(kind: DeviceKind, random: Random) {
    this.kind = kind;
    this.random = random;
    this.firmware = pick(random, FIRMWARE[kind]);
    this.battery = uniform(random, 55, 100);
    this.clockSync = pick(random, CLOCK_SYNC_SOURCES);
  }

  /** Interval to the next periodic report. */
  nextIntervalMs(): number {
    return Math.round(uniform(this.random, 5, 7) * MS_PER_HOUR);
  }

  report(atMs: number, note?: string): Reading {
    if (this.lastMs !== undefined) {
      this.battery -= (DRAIN_PER_DAY[this.kind] * Math.max(0, atMs - this.lastMs)) / MS_PER_DAY;
      // Recharged (a watch on its charger overnight) or a fresh battery, once it runs low.
      if (this.battery < 15) this.battery = integerBetween(this.random, 92, 100);
      if (chance(this.random, 0.05)) this.clockSync = pick(this.random, CLOCK_SYNC_SOURCES);
    }
    this.lastMs = atMs;
    const data: Record<string, string | number> = {
      battery_pct: Math.round(clamp(this.battery, 0, 100)),
      fw: this.firmware,
      clock_sync: this.clockSync,
    };
    if (note !== undefined) data['note'] = note;
    return { t: atMs, type: 'device_status', data };
  }
}
