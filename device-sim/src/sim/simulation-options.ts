import type { Logger } from 'pino';
import type { DeviceStore } from '../device/device-store.js';
import type { BackoffPolicy } from '../device/reconnect-backoff.js';
import type { GatewayKey } from '../downlink/gateway-key.js';
import type { FaultKind } from '../faults/fault-kind.js';
import type { Fleet } from '../fleet/fleet.js';
import type { DoseSchedule } from '../models/dose-schedule.js';
import type { Random } from '../random/random.js';
import type { Clock, Monotonic } from '../time/clock.js';
import type { LatencySummary } from './latency-stats.js';
import type { MessageRecord } from './message-record.js';

export interface OutageProfile {
  /** Mean simulated time between a device's outages (out of range, gateway unreachable), ms. */
  readonly meanIntervalMs: number;
  /** Mean simulated length of an outage, ms. */
  readonly meanDurationMs: number;
}

export interface SimulationOptions {
  readonly brokerUrl: string;
  readonly fleet: Fleet;
  /** Real time the devices produce readings, ms; then the run drains and stops. */
  readonly durationMs: number;
  /**
   * Load mode: this many readings per second in total, spread round-robin over the devices, whatever the
   * models' natural cadence. Without it, natural mode: each model's own schedule in simulated time.
   */
  readonly rate?: number;
  /**
   * Load mode: sign every message of the run before the clock starts (default false), so that the measured
   * window holds only storing and sending: the simulator can then offer rates its signing could not keep up
   * with. `t` is the time of signing.
   */
  readonly presign?: boolean;
  /** Natural mode: simulated ms per real ms (default 1). */
  readonly speed?: number;
  /** Durable device memory (default: in memory; the CLI passes a `FileDeviceStore` in the state directory). */
  readonly store?: DeviceStore;
  /** Faults to inject beside valid traffic (default none). */
  readonly faults?: readonly FaultKind[];
  /** How many of each fault kind (default 1). */
  readonly faultsPerKind?: number;
  /** Size of an oversize fault message, bytes (default 96 KiB, beyond every limit of the gateway). */
  readonly oversizeBytes?: number;
  /** The gateway's public key, to verify downlink messages; without it they are ignored (and logged). */
  readonly gatewayKey?: GatewayKey;
  /** Random outages in natural mode (default none). */
  readonly outages?: OutageProfile;
  readonly doseSchedule?: DoseSchedule;
  /** Simulated time for `t` (default: natural mode at `speed`, ending at the real now; load mode: real time). */
  readonly clock?: Clock;
  /** Real time, for connect tokens and the run's length (default `systemClock`). */
  readonly wallClock?: Clock;
  readonly monotonic?: Monotonic;
  /** Default: seeded from the fleet's seed. */
  readonly random?: Random;
  readonly logger?: Logger;
  readonly maxInflight?: number;
  readonly backoff?: BackoffPolicy;
  /** How long to wait for the last messages to be acknowledged after the run (default 15 s). */
  readonly drainTimeoutMs?: number;
  /** Keep a record of every message (default true). */
  readonly keepRecord?: boolean;
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** Default 5 s. */
  readonly progressIntervalMs?: number;
}

export interface SimulationProgress {
  readonly elapsedMs: number;
  readonly produced: number;
  readonly delivered: number;
  /** Acknowledged messages per second since the previous progress report. */
  readonly recentRate: number;
  readonly devicesOnline: number;
  readonly devices: number;
  readonly pending: number;
  readonly faultsInjected: number;
}

export interface SimulationResult {
  readonly mode: 'load' | 'natural';
  readonly devices: number;
  /** Real ms during which readings were produced. */
  readonly elapsedMs: number;
  /** Readings created (numbered, signed, stored). */
  readonly produced: number;
  /** Readings acknowledged by the broker (PUBACK), during the run and the drain. */
  readonly delivered: number;
  /** Acknowledged during the production phase, per second: the achieved rate. */
  readonly achievedRate: number;
  /** Requested rate (load mode), per second. */
  readonly offeredRate: number | undefined;
  /** Sends of a message that had been sent before (after a disconnection). */
  readonly resent: number;
  /** Messages still stored, unacknowledged, at the end (sent on the next run from the same state). */
  readonly pending: number;
  readonly latency: LatencySummary;
  readonly connections: { readonly connects: number; readonly failures: number; readonly disconnects: number };
  readonly faults: Readonly<Record<string, number>>;
  readonly notices: Readonly<Record<string, number>>;
  readonly downlink: { readonly verified: number; readonly rejected: number };
  readonly records: readonly MessageRecord[];
}
