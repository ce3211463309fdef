/**
 * A per-device rate limit that delays, never drops (issue 7, "Overload"; docs/gateway.md).
 *
 * Spec section 7 promises that nothing acknowledged is lost and nothing is dropped silently, and 21 CFR 11 /
 * ALCOA+ want every reading kept as received. So a device sending faster than its limit does not get its
 * messages refused or quarantined: they wait, in arrival order, and go into the ingestion path (and get their
 * PUBACK) at the allowed rate. Over MQTT this is back-pressure: aedes reads a client's next packets only once
 * the current ones are decided, so a flooding device's socket fills and its own sending slows, while every
 * other device's messages pass untouched. Only a message that would wait longer than `maxDelayMs` is refused
 * (`enqueue` returns false): the transport then closes the connection without acknowledging it, and the
 * device sends it again later (it was never acknowledged, so nothing is lost; the refusal is counted and
 * logged by the caller). The bound keeps a waiting message within a device's MQTT keepalive.
 *
 * The meter is the generic cell rate algorithm (a token bucket as a schedule): each device has a theoretical
 * arrival time `tat`; a message at `now` conforms if `tat - now <= tolerance`, where tolerance lets `burst`
 * messages through at once, and each message moves `tat` on by one interval (1 s / rate). Time is a monotonic
 * clock passed in, never the gateway's wall clock, so a clock jump neither blocks nor frees a device.
 */
import { performance } from 'node:perf_hooks';
import { systemTimers, type TimerPort } from '../checkpoints/timer-port.js';

export interface DeviceRateLimitOptions {
  /** Messages per second one device may send (0: no limit). */
  readonly ratePerSecond: number;
  /** Messages a device may send at once before the rate applies (default 2 s worth, at least 1). */
  readonly burst?: number;
  /** The longest a message may wait; one that would wait longer is refused (default 10 s). */
  readonly maxDelayMs?: number;
  /** Milliseconds from a monotonic clock (default `performance.now`). */
  readonly now?: () => number;
  readonly timers?: TimerPort;
}

interface Waiting {
  readonly dueAt: number;
  readonly run: () => void;
}

interface DeviceMeter {
  /** Theoretical arrival time of the device's next message, ms on the monotonic clock. */
  tat: number;
  readonly queue: Waiting[];
  timer: unknown;
}

export const DEFAULT_DEVICE_RATE_MAX_DELAY_MS = 10_000;
const SWEEP_EVERY_MS = 10_000;

export class DeviceRateLimit {
  readonly #interval: number;
  readonly #tolerance: number;
  readonly #maxDelay: number;
  readonly #now: () => number;
  readonly #timers: TimerPort;
  readonly #meters = new Map<string, DeviceMeter>();
  #lastSweep = 0;
  #closed = false;

  constructor(options: DeviceRateLimitOptions) {
    const rate = Math.max(0, options.ratePerSecond);
    this.#interval = rate === 0 ? 0 : 1000 / rate;
    const burst = Math.max(1, Math.floor(options.burst ?? rate * 2));
    this.#tolerance = (burst - 1) * this.#interval;
    this.#maxDelay = options.maxDelayMs ?? DEFAULT_DEVICE_RATE_MAX_DELAY_MS;
    this.#now = options.now ?? (() => performance.now());
    this.#timers = options.timers ?? systemTimers;
  }

  /** False when the limit is off (rate 0): callers may skip it entirely. */
  get enabled(): boolean {
    return this.#interval > 0;
  }

  /** Messages waiting, all devices together. */
  get waiting(): number {
    let n = 0;
    for (const meter of this.#meters.values()) n += meter.queue.length;
    return n;
  }

  /**
   * The usual case, without allocating: true if the device has nothing waiting and is within its rate; the
   * message is then counted and may go at once. False: call `enqueue`.
   */
  tryNow(deviceId: string): boolean {
    if (this.#interval === 0) return true;
    const now = this.#now();
    this.#sweep(now);
    const meter = this.#meters.get(deviceId);
    if (meter === undefined) {
      this.#meters.set(deviceId, { tat: now + this.#interval, queue: [], timer: null });
      return true;
    }
    if (meter.queue.length > 0) return false;
    const tat = Math.max(meter.tat, now);
    if (tat - now > this.#tolerance) return false;
    meter.tat = tat + this.#interval;
    return true;
  }

  /**
   * Schedules `run` for when the device may send one more message, after everything it has waiting (arrival
   * order is kept). False, and `run` is never called, if it would wait longer than `maxDelayMs` or the limit
   * is closed: the caller refuses the message unacknowledged.
   */
  enqueue(deviceId: string, run: () => void): boolean {
    if (this.#closed) return false;
    const now = this.#now();
    let meter = this.#meters.get(deviceId);
    if (meter === undefined) {
      meter = { tat: now, queue: [], timer: null };
      this.#meters.set(deviceId, meter);
    }
    const tat = Math.max(meter.tat, now);
    const dueAt = tat - this.#tolerance;
    if (dueAt - now > this.#maxDelay) return false;
    meter.tat = tat + this.#interval;
    meter.queue.push({ dueAt, run });
    if (meter.timer === null) this.#arm(meter, now);
    return true;
  }

  /** Stops: what still waits is never run (it was never acknowledged; devices send it again). */
  close(): void {
    this.#closed = true;
    for (const meter of this.#meters.values()) {
      if (meter.timer !== null) this.#timers.clearTimeout(meter.timer);
      meter.timer = null;
      meter.queue.length = 0;
    }
    this.#meters.clear();
  }

  #arm(meter: DeviceMeter, now: number): void {
    const head = meter.queue[0];
    if (head === undefined) return;
    meter.timer = this.#timers.setTimeout(() => this.#release(meter), Math.max(0, head.dueAt - now));
  }

  /** Runs every waiting message that is due, in order, then waits for the next. */
  #release(meter: DeviceMeter): void {
    meter.timer = null;
    const now = this.#now();
    while (meter.queue.length > 0 && (meter.queue[0]?.dueAt ?? Infinity) <= now + 0.5) {
      const next = meter.queue.shift();
      next?.run();
    }
    this.#arm(meter, now);
  }

  /** Forgets devices whose meter is back at rest (nothing waiting, `tat` passed): the same as unknown. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    for (const [deviceId, meter] of this.#meters) {
      if (meter.queue.length === 0 && meter.timer === null && meter.tat <= now) this.#meters.delete(deviceId);
    }
  }
}
