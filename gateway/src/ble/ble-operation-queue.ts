/**
 * One BLE operation at a time per adapter: controllers (and noble's HCI bindings) handle one GATT procedure
 * or connection attempt at a time badly, and a scan running during a connection attempt slows it down or
 * breaks it on many adapters. So every operation (connect, discovery, read, subscribe, write) goes through
 * this queue; each has its own timeout (E_BLE_TIMEOUT), after which the queue moves on; `beforeFirst` runs
 * before the queue starts working (the central pauses scanning) and `whenIdle` once it is empty again (the
 * central resumes scanning).
 */
import type { TimerPort } from '../checkpoints/timer-port.js';
import { BleError } from './ble-error.js';

export interface BleOperationQueueHooks {
  readonly beforeFirst?: () => Promise<void>;
  readonly whenIdle?: () => void;
}

interface Job {
  readonly step: string;
  readonly timeoutMs: number;
  readonly operation: () => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class BleOperationQueue {
  private readonly jobs: Job[] = [];
  private running = false;
  readonly counters = { operations: 0, timeouts: 0, failures: 0 };

  constructor(
    private readonly timers: TimerPort,
    private readonly hooks: BleOperationQueueHooks = {},
  ) {}

  get size(): number {
    return this.jobs.length + (this.running ? 1 : 0);
  }

  run<T>(step: string, timeoutMs: number, operation: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ step, timeoutMs, operation, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      await this.hooks.beforeFirst?.();
    } catch {
      // Pausing the scan failed: the operations are tried anyway.
    }
    for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
      this.counters.operations += 1;
      try {
        job.resolve(await this.withTimeout(job));
      } catch (error) {
        this.counters.failures += 1;
        job.reject(error);
      }
    }
    this.running = false;
    this.hooks.whenIdle?.();
  }

  private async withTimeout(job: Job): Promise<unknown> {
    try {
      return await withTimeout(this.timers, job.step, job.timeoutMs, job.operation());
    } catch (error) {
      if (error instanceof BleError && error.code === 'E_BLE_TIMEOUT') this.counters.timeouts += 1;
      throw error;
    }
  }
}

/** `promise`, or E_BLE_TIMEOUT after `timeoutMs` (the step keeps running; its late result is ignored). */
export function withTimeout<T>(timers: TimerPort, step: string, timeoutMs: number, promise: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = timers.setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new BleError('E_BLE_TIMEOUT', `${step} did not finish within ${timeoutMs} ms`, { details: { step, timeoutMs } }));
    }, timeoutMs);
    promise.then(
      (value) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(timer);
        reject(error);
      },
    );
  });
}
