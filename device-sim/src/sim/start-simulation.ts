import { pino, type Logger } from 'pino';
import type { DeviceStore } from '../device/device-store.js';
import { MemoryDeviceStore } from '../device/memory-device-store.js';
import { uplinkTopic } from '../device/mqtt-topics.js';
import type { OutboxMessage } from '../device/outbox-message.js';
import { SimDevice } from '../device/sim-device.js';
import { SimError } from '../errors/sim-error.js';
import { FAULT_EXPECTATIONS, type FaultKind } from '../faults/fault-kind.js';
import { injectFault, type FaultContext } from '../faults/fault-injector.js';
import { planFaults } from '../faults/fault-plan.js';
import { createDeviceIdentity } from '../identity/device-identity.js';
import { createDeviceModel } from '../models/create-device-model.js';
import type { DeviceModel } from '../models/device-model.js';
import { createSubjectProfile, type SubjectProfile } from '../models/subject-profile.js';
import { createRandom, exponential, type Random } from '../random/random.js';
import { createScaledClock, performanceNow, systemClock, type Clock } from '../time/clock.js';
import { DEFAULT_OVERSIZE_BYTES } from '../faults/fault-messages.js';
import { LatencyRecorder } from './latency-stats.js';
import { sha256Hex, type MessageRecord } from './message-record.js';
import type { SimulationOptions, SimulationProgress, SimulationResult } from './simulation-options.js';
import { signDownlinkAck } from '../serial/downlink-ack-message.js';
import type { DeviceIdentity } from '../identity/device-identity.js';

interface SimulatedDevice {
  readonly device: SimDevice;
  readonly model: DeviceModel;
  nextOutageAt: number;
  outageEndsAt: number | undefined;
}

/**
 * Starts a simulated site: connects every device of the fleet, produces readings (load or natural mode),
 * injects the requested faults, and after `durationMs` drains and stops. `done` resolves with the numbers and
 * the record of every message; `stop()` ends the run early the same way.
 */
export async function startSimulation(options: SimulationOptions): Promise<Simulation> {
  const simulation = new Simulation(options);
  await simulation.start();
  return simulation;
}

export class Simulation {
  readonly done: Promise<SimulationResult>;
  private readonly options: SimulationOptions;
  private readonly mode: 'load' | 'natural';
  private readonly logger: Logger;
  private readonly random: Random;
  private readonly clock: Clock;
  private readonly wallClock: Clock;
  private readonly store: DeviceStore;
  private readonly latency = new LatencyRecorder();
  private readonly records = new Map<string, MessageRecord>();
  private readonly otherRecords: MessageRecord[] = [];
  private readonly sims: SimulatedDevice[] = [];
  private readonly outstanding = new Set<Promise<unknown>>();
  private readonly faultCounts: Record<string, number> = {};
  private readonly notices: Record<string, number> = {};
  private readonly downlink = { verified: 0, rejected: 0 };
  private produced = 0;
  private delivered = 0;
  private deliveredInRun = 0;
  private producing = false;
  private startedAt = 0;
  private endedAt = 0;
  private roundRobin = 0;
  private presigned: { readonly sim: SimulatedDevice; readonly message: OutboxMessage; readonly t: number }[] = [];
  private presignedNext = 0;
  private strangerCount = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private endTimer: NodeJS.Timeout | undefined;
  private faultRunner: Promise<void> = Promise.resolve();
  private lastProgress = { at: 0, delivered: 0 };
  private finishing: Promise<SimulationResult> | undefined;
  private resolveDone!: (result: SimulationResult) => void;
  private rejectDone!: (error: unknown) => void;

  constructor(options: SimulationOptions) {
    if (!(options.durationMs > 0)) throw new SimError('E_SIM_OPTION_INVALID', 'duration must be positive');
    if (options.rate !== undefined && !(options.rate > 0)) throw new SimError('E_SIM_OPTION_INVALID', 'rate must be positive');
    if (options.fleet.devices.length === 0) throw new SimError('E_SIM_OPTION_INVALID', 'the fleet has no devices');
    this.options = options;
    this.mode = options.rate === undefined ? 'natural' : 'load';
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'device-sim' });
    this.random = options.random ?? createRandom(options.fleet.seed ^ 0x5eed);
    this.wallClock = options.wallClock ?? systemClock;
    const speed = options.speed ?? 1;
    // Simulated time faster than real time ends at the real now, so no reading is stamped in the future
    // (spec section 2: `t` is the time of measurement); the gateway sees a backlog arriving quickly.
    this.clock =
      options.clock ??
      (this.mode === 'load' || speed === 1
        ? this.wallClock
        : createScaledClock({ speed, base: this.wallClock, startMs: this.wallClock.now() - options.durationMs * speed }));
    this.store = options.store ?? new MemoryDeviceStore();
    this.done = new Promise<SimulationResult>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
  }

  get devices(): readonly SimDevice[] {
    return this.sims.map((s) => s.device);
  }

  /** The behaviour model of a device (e.g. a `PillDispenserModel` and its adherence tally). */
  model(deviceId: string): DeviceModel | undefined {
    return this.sims.find((s) => s.device.id === deviceId)?.model;
  }

  /** Connects the devices and starts producing. */
  async start(): Promise<void> {
    const { fleet } = this.options;
    const profiles = new Map<string, SubjectProfile>();
    const monotonic = this.options.monotonic ?? performanceNow;
    for (const identity of fleet.devices) {
      let profile = profiles.get(identity.subject);
      if (profile === undefined) {
        profile = createSubjectProfile(this.random.fork());
        profiles.set(identity.subject, profile);
      }
      const model = createDeviceModel({
        kind: identity.kind,
        profile,
        random: this.random.fork(),
        ...(this.options.doseSchedule === undefined ? {} : { doseSchedule: this.options.doseSchedule }),
      });
      const device: SimDevice = new SimDevice({
        identity,
        brokerUrl: this.options.brokerUrl,
        store: this.store,
        wallClock: this.wallClock,
        monotonic,
        random: this.random.fork(),
        logger: this.logger,
        gatewayKey: this.options.gatewayKey,
        ...(this.options.maxInflight === undefined ? {} : { maxInflight: this.options.maxInflight }),
        ...(this.options.backoff === undefined ? {} : { backoff: this.options.backoff }),
        events: {
          onDelivered: (message, latencyMs) => this.onDelivered(message, latencyMs),
          onDownlink: (message) => {
            this.downlink.verified++;
            if (message.type === 'notice') this.onNotice(device.id, message.data);
            // Issue 6: a schedule or reminder is acknowledged with a signed downlink_ack (docs/dosing.md).
            if (message.type === 'schedule' || message.type === 'reminder') void this.acknowledgeDownlink(device, identity, message.type, message.data);
            model.onDownlink({ type: message.type, t: message.t, data: message.data }, this.clock.now());
          },
          onDownlinkRejected: () => {
            this.downlink.rejected++;
          },
        },
      });
      this.sims.push({ device, model, nextOutageAt: this.nextOutage(), outageEndsAt: undefined });
    }
    for (const sim of this.sims) sim.device.start();
    if (this.mode === 'load' && this.options.presign === true) this.presign();
    this.startedAt = this.wallClock.now();
    this.lastProgress = { at: this.startedAt, delivered: 0 };
    this.producing = true;
    this.tickTimer = setInterval(() => this.tick(), this.mode === 'load' ? 10 : 100);
    const interval = this.options.progressIntervalMs ?? 5_000;
    if (this.options.onProgress !== undefined) {
      this.progressTimer = setInterval(() => this.options.onProgress?.(this.progress()), interval);
    }
    const faults = this.options.faults ?? [];
    if (faults.length > 0) this.faultRunner = this.runFaults(faults);
    this.endTimer = setTimeout(() => void this.stop(), this.options.durationMs);
  }

  progress(): SimulationProgress {
    const now = this.wallClock.now();
    const seconds = Math.max(0.001, (now - this.lastProgress.at) / 1000);
    const recentRate = (this.delivered - this.lastProgress.delivered) / seconds;
    this.lastProgress = { at: now, delivered: this.delivered };
    return {
      elapsedMs: now - this.startedAt,
      produced: this.produced,
      delivered: this.delivered,
      recentRate,
      devicesOnline: this.sims.filter((s) => s.device.state === 'online').length,
      devices: this.sims.length,
      pending: this.sims.reduce((sum, s) => sum + s.device.pendingCount, 0),
      faultsInjected: Object.values(this.faultCounts).reduce((a, b) => a + b, 0),
    };
  }

  /** Ends production now, lets the devices deliver what they hold (up to the drain timeout), and stops. */
  stop(): Promise<SimulationResult> {
    this.finishing ??= this.finish().then(
      (result) => {
        this.resolveDone(result);
        return result;
      },
      (error: unknown) => {
        this.rejectDone(error);
        throw error;
      },
    );
    return this.finishing;
  }

  private tick(): void {
    if (!this.producing) return;
    if (this.mode === 'load') this.produceLoad();
    else this.produceNatural();
  }

  private produceLoad(): void {
    const rate = this.options.rate ?? 0;
    const elapsed = (this.wallClock.now() - this.startedAt) / 1000;
    let due = Math.floor(rate * elapsed) - this.produced;
    // Open loop, but bounded: a broker that cannot keep up shows as a lower achieved rate, not as memory.
    if (this.outstanding.size > 20_000) return;
    due = Math.min(due, Math.max(100, Math.ceil(rate / 10)));
    const now = this.clock.now();
    for (let i = 0; i < due; i++) {
      if (this.options.presign === true) {
        const next = this.presigned[this.presignedNext++];
        if (next === undefined) break;
        this.track(next.sim.device.send(next.message), next.sim.device, next.t);
        continue;
      }
      const sim = this.sims[this.roundRobin++ % this.sims.length];
      if (sim === undefined) break;
      this.produce(sim, sim.model.sample(now));
    }
  }

  /** Signs the whole run's messages ahead, round-robin over the devices (after `start`: seqs are resumed). */
  private presign(): void {
    const total = Math.ceil(((this.options.rate ?? 0) * this.options.durationMs) / 1000);
    if (total > 5_000_000) throw new SimError('E_SIM_OPTION_INVALID', `presigning ${total} messages is too many (at most 5,000,000)`);
    const now = this.clock.now();
    for (let i = 0; i < total; i++) {
      const sim = this.sims[i % this.sims.length];
      if (sim === undefined) break;
      const reading = sim.model.sample(now);
      this.presigned.push({ sim, message: sim.device.sign(reading), t: reading.t });
    }
  }

  private produceNatural(): void {
    const now = this.clock.now();
    for (const sim of this.sims) {
      this.updateOutage(sim, now);
      for (const reading of sim.model.advance(now)) this.produce(sim, reading);
    }
  }

  private produce(sim: SimulatedDevice, reading: Parameters<SimDevice['record']>[0]): void {
    this.track(sim.device.record(reading), sim.device, reading.t);
  }

  private track(stored: Promise<OutboxMessage>, device: SimDevice, t: number): void {
    this.produced++;
    const pending = stored.then(
      (message) => this.trackOutboxMessage(device, message, 'valid', t),
      (error: unknown) => {
        if (!(error instanceof SimError && error.code === 'E_SIM_STOPPED')) this.logger.error({ err: error }, 'storing a reading failed');
      },
    );
    this.outstanding.add(pending);
    void pending.finally(() => this.outstanding.delete(pending));
  }

  private trackOutboxMessage(device: SimDevice, message: OutboxMessage, kind: 'valid' | FaultKind, t: number): void {
    if (kind !== 'valid') {
      // A fault that is still a reading (clock skew) is produced and delivered like one.
      this.produced++;
      this.faultCounts[kind] = (this.faultCounts[kind] ?? 0) + 1;
    }
    if (this.options.keepRecord === false) return;
    const key = recordKey(device.id, message.seq);
    const existing = this.records.get(key);
    this.records.set(key, {
      kind,
      device: device.id,
      seq: message.seq,
      topic: uplinkTopic(device.id),
      sha256: sha256Hex(message.bytes),
      size: message.bytes.length,
      t,
      expected: kind === 'valid' ? 'logged' : FAULT_EXPECTATIONS[kind],
      // Acknowledged before it was tracked (only possible for a very fast broker): keep that.
      outcome: existing?.outcome ?? 'pending',
      ...(existing?.ackLatencyMs === undefined ? {} : { ackLatencyMs: existing.ackLatencyMs }),
    });
  }

  private onDelivered(message: OutboxMessage, latencyMs: number): void {
    this.delivered++;
    if (this.producing) this.deliveredInRun++;
    this.latency.add(latencyMs);
    if (this.options.keepRecord === false) return;
    const record = this.records.get(recordKey(message.deviceId, message.seq));
    if (record !== undefined && record.outcome !== 'acked') {
      record.outcome = 'acked';
      record.ackLatencyMs = Math.round(latencyMs * 1000) / 1000;
    }
  }

  /**
   * Counts a notice and attaches it to the message it is about: a fault sent with that seq first (a replay
   * or conflict shares its seq with a valid message, and the notice is about the fault), else the valid
   * message; a notice without a seq (the gateway could not read one, e.g. truncated CBOR) goes to the latest
   * fault of that device still without a notice. Best effort: the gateway's quarantine is the authority.
   */
  private onNotice(deviceId: string, data: Readonly<Record<string, unknown>>): void {
    const code = typeof data['code'] === 'string' ? data['code'] : 'unknown';
    this.notices[code] = (this.notices[code] ?? 0) + 1;
    if (this.options.keepRecord === false) return;
    const notice = { code, disposition: typeof data['disposition'] === 'string' ? data['disposition'] : '' };
    const seq = typeof data['seq'] === 'number' ? data['seq'] : undefined;
    const faults = this.otherRecords.filter((r) => r.device === deviceId && r.notice === undefined);
    const record =
      seq === undefined
        ? faults.at(-1)
        : (faults.find((r) => r.seq === seq) ?? this.records.get(recordKey(deviceId, seq)));
    if (record !== undefined && record.notice === undefined) record.notice = notice;
  }

  /** A `downlink_ack` for a schedule or reminder, numbered with the device's next seq, stored and sent. */
  private async acknowledgeDownlink(device: SimDevice, identity: DeviceIdentity, of: string, data: Readonly<Record<string, unknown>>): Promise<void> {
    const ref = data['id'];
    if (typeof ref !== 'number' || !Number.isSafeInteger(ref) || ref < 1) return;
    try {
      const seq = await device.reserveSeq();
      const bytes = signDownlinkAck({ deviceId: device.id, seq, t: this.clock.now(), ack: { ref, of, status: 'accepted' }, secretKey: identity.secretKey });
      await device.send({ deviceId: device.id, seq, bytes });
    } catch (error) {
      this.logger.warn({ device: device.id, err: error instanceof Error ? error.message : String(error) }, 'could not acknowledge a downlink message');
    }
  }

  private nextOutage(): number {
    const outages = this.options.outages;
    return outages === undefined ? Infinity : this.clock.now() + exponential(this.random, outages.meanIntervalMs);
  }

  private updateOutage(sim: SimulatedDevice, now: number): void {
    const outages = this.options.outages;
    if (outages === undefined) return;
    if (sim.outageEndsAt === undefined && now >= sim.nextOutageAt) {
      sim.outageEndsAt = now + exponential(this.random, outages.meanDurationMs);
      sim.device.setOnline(false);
    } else if (sim.outageEndsAt !== undefined && now >= sim.outageEndsAt) {
      sim.outageEndsAt = undefined;
      sim.nextOutageAt = now + exponential(this.random, outages.meanIntervalMs);
      sim.device.setOnline(true);
    }
  }

  private async runFaults(kinds: readonly FaultKind[]): Promise<void> {
    const plan = planFaults(kinds, this.options.faultsPerKind ?? 1, this.options.durationMs, this.random.fork());
    const context: FaultContext = {
      devices: this.devices,
      random: this.random.fork(),
      clock: this.clock,
      oversizeBytes: this.options.oversizeBytes ?? DEFAULT_OVERSIZE_BYTES,
      logger: this.logger,
      createStranger: () => this.createStranger(),
      trackOutboxMessage: (device, message, kind, t) => this.trackOutboxMessage(device, message, kind, t),
      addRecord: (record) => {
        this.faultCounts[record.kind] = (this.faultCounts[record.kind] ?? 0) + 1;
        if (this.options.keepRecord !== false) this.otherRecords.push(record);
      },
    };
    for (const fault of plan) {
      const wait = this.startedAt + fault.atMs - this.wallClock.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!this.producing) return;
      try {
        await injectFault(fault.kind, context);
      } catch (error) {
        this.logger.error({ err: error, fault: fault.kind }, 'fault injection failed');
      }
    }
  }

  private createStranger(): SimDevice {
    const n = ++this.strangerCount;
    const prefix = this.options.fleet.devices[0]?.id.split('-')[0] ?? 'SIM';
    const identity = createDeviceIdentity(`${prefix}-UNK-${String(n).padStart(4, '0')}`, 'wearable', 'SUBJ-UNKNOWN', this.random.fork());
    const stranger = new SimDevice({
      identity,
      brokerUrl: this.options.brokerUrl,
      store: new MemoryDeviceStore(),
      wallClock: this.wallClock,
      monotonic: this.options.monotonic ?? performanceNow,
      random: this.random.fork(),
      logger: this.logger,
      maxConnectAttempts: 1,
    });
    stranger.start();
    return stranger;
  }

  private async finish(): Promise<SimulationResult> {
    if (this.producing) this.endedAt = this.wallClock.now();
    this.producing = false;
    clearInterval(this.tickTimer);
    clearInterval(this.progressTimer);
    clearTimeout(this.endTimer);
    await this.faultRunner;
    await Promise.allSettled([...this.outstanding]);
    // Devices out of range come back for the drain, so what they stored is delivered.
    for (const sim of this.sims) sim.device.setOnline(true);
    const drainMs = this.options.drainTimeoutMs ?? 15_000;
    await Promise.all(this.sims.map((s) => s.device.drain(drainMs)));
    await Promise.all(this.sims.map((s) => s.device.stop()));
    if (this.options.store === undefined) await this.store.close();
    const elapsedMs = Math.max(1, this.endedAt - this.startedAt);
    const counters = this.sims.map((s) => s.device.counters);
    const sum = (pick: (c: SimDevice['counters']) => number): number => counters.reduce((a, c) => a + pick(c), 0);
    const result: SimulationResult = {
      mode: this.mode,
      devices: this.sims.length,
      elapsedMs,
      produced: this.produced,
      delivered: this.delivered,
      achievedRate: this.deliveredInRun / (elapsedMs / 1000),
      offeredRate: this.options.rate,
      resent: sum((c) => c.resent),
      pending: this.sims.reduce((a, s) => a + s.device.pendingCount, 0),
      latency: this.latency.summary(),
      connections: { connects: sum((c) => c.connects), failures: sum((c) => c.connectFailures), disconnects: sum((c) => c.disconnects) },
      faults: { ...this.faultCounts },
      notices: { ...this.notices },
      downlink: { ...this.downlink },
      records: [...this.records.values(), ...this.otherRecords],
    };
    this.logger.info({ produced: result.produced, delivered: result.delivered, pending: result.pending }, 'simulation finished');
    return result;
  }
}

function recordKey(deviceId: string, seq: number): string {
  return `${deviceId}\u0000${seq}`;
}
