import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import { decodeDownlinkMessage, type DownlinkMessage } from '../downlink/downlink-message.js';
import type { GatewayKey } from '../downlink/gateway-key.js';
import { SimError } from '../errors/sim-error.js';
import type { DeviceIdentity } from '../identity/device-identity.js';
import type { Reading } from '../models/reading.js';
import type { Random } from '../random/random.js';
import type { Clock, Monotonic } from '../time/clock.js';
import { DeviceSigner } from './device-message.js';
import type { DeviceStore } from './device-store.js';
import { downlinkTopic, uplinkTopic } from './mqtt-topics.js';
import type { OutboxMessage } from './outbox-message.js';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './reconnect-backoff.js';

export type SimDeviceState = 'stopped' | 'connecting' | 'online' | 'offline' | 'waiting';

/** What happened to a message published outside the outbox (a fault), as far as the device can tell. */
export type RawPublishOutcome = 'acked' | 'connection_closed' | 'not_connected' | 'timeout';

export interface SimDeviceEvents {
  /** The broker acknowledged `message` (PUBACK) `latencyMs` after it was sent on this connection. */
  onDelivered?(message: OutboxMessage, latencyMs: number, resent: boolean): void;
  /** A downlink message verified under the gateway key. */
  onDownlink?(message: DownlinkMessage): void;
  /** A downlink message that failed decoding or verification (already logged). */
  onDownlinkRejected?(reason: string): void;
  onConnect?(): void;
  /** The connection ended (or an attempt failed); `error` is what the client reported, if anything. */
  onDisconnect?(error: Error | undefined): void;
}

export interface SimDeviceOptions {
  readonly identity: DeviceIdentity;
  /** `mqtt://host:port` (or `mqtts://`, `ws://`). */
  readonly brokerUrl: string;
  readonly store: DeviceStore;
  /** Wall clock for connect tokens (the gateway accepts `iat` within 300 s of its clock). */
  readonly wallClock: Clock;
  readonly monotonic: Monotonic;
  /** For reconnect jitter. */
  readonly random: Random;
  readonly logger: Logger;
  readonly gatewayKey?: GatewayKey | undefined;
  /** Messages sent and not yet acknowledged at once (default 16). */
  readonly maxInflight?: number;
  readonly backoff?: BackoffPolicy;
  readonly connectTimeoutMs?: number;
  /** Give up after this many failed connection attempts in a row (default: never). */
  readonly maxConnectAttempts?: number;
  readonly events?: SimDeviceEvents;
}

interface Inflight {
  readonly message: OutboxMessage;
  readonly sentAt: number;
  readonly resent: boolean;
}

/**
 * One simulated device's communication: a seq counter and store-and-forward queue in a durable store, an MQTT
 * 3.1.1 connection with a fresh connect token per attempt (spec section 3), QoS 1 publishing with a window of
 * messages in flight, and reconnection with jittered exponential backoff.
 *
 * Delivery: a message is stored (and its seq made durable) before it is first sent, and forgotten only on
 * PUBACK. When a connection ends, every unacknowledged message goes back to the queue and is sent again, in
 * seq order, on the next connection: the gateway acknowledges a retransmission without logging it twice.
 */
export class SimDevice {
  readonly id: string;
  readonly identity: DeviceIdentity;
  readonly signer: DeviceSigner;
  private readonly options: SimDeviceOptions;
  private readonly log: Logger;
  private readonly maxInflight: number;
  private readonly backoff: BackoffPolicy;
  private nextSeq = 1;
  private queue: OutboxMessage[] = [];
  private readonly inflight = new Map<number, Inflight>();
  private readonly everSent = new Set<number>();
  private readonly recentAcked: OutboxMessage[] = [];
  private client: MqttClient | undefined;
  private generation = 0;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private wantOnline = true;
  private stopped = true;
  private lastError: Error | undefined;
  private readonly rawWaiters = new Set<(outcome: RawPublishOutcome) => void>();
  private readonly onlineWaiters = new Set<(online: boolean) => void>();
  private drainWaiters: (() => void)[] = [];
  state: SimDeviceState = 'stopped';
  /** Counters for this device. */
  readonly counters = { connects: 0, connectFailures: 0, disconnects: 0, sent: 0, resent: 0, acked: 0 };

  constructor(options: SimDeviceOptions) {
    this.options = options;
    this.identity = options.identity;
    this.id = options.identity.id;
    this.signer = new DeviceSigner(this.id, options.identity.secretKey);
    this.log = options.logger.child({ device: this.id });
    this.maxInflight = options.maxInflight ?? 16;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  /**
   * Resumes the seq counter and the unsent queue from the store, then connects (unless `online` is false: a
   * device out of range from the start stores its readings until `setOnline(true)`).
   */
  start(options: { readonly online?: boolean } = {}): void {
    if (!this.stopped) return;
    const resumed = this.options.store.resume(this.id);
    this.nextSeq = resumed.lastSeq + 1;
    this.queue = [...resumed.pending];
    for (const message of resumed.pending) this.everSent.add(message.seq);
    this.stopped = false;
    this.wantOnline = options.online ?? true;
    this.state = this.wantOnline ? 'connecting' : 'offline';
    if (resumed.pending.length > 0) this.log.info({ pending: resumed.pending.length }, 'resuming with stored messages');
    this.connect();
  }

  /** The seq the next message will get. */
  get peekNextSeq(): number {
    return this.nextSeq;
  }

  /** Messages stored and not yet acknowledged. */
  get pendingCount(): number {
    return this.queue.length + this.inflight.size;
  }

  /** Recently acknowledged messages (newest last), for replay and conflict faults. */
  get acknowledged(): readonly OutboxMessage[] {
    return this.recentAcked;
  }

  /**
   * Numbers, signs and durably stores a reading, then queues it for sending. Resolves once it is stored
   * (not when it is delivered).
   */
  async record(reading: Reading): Promise<OutboxMessage> {
    return this.send(this.sign(reading));
  }

  /**
   * Numbers and signs a reading without storing or sending it, so that load mode can sign ahead of the
   * measured window. Messages signed this way must go to `send` in the order they were signed; one never
   * sent leaves its seq unused (it was never on the wire), and the next run may number another message
   * with it.
   */
  sign(reading: Reading): OutboxMessage {
    if (this.stopped) throw new SimError('E_SIM_STOPPED', `device ${this.id} is stopped`);
    const seq = this.nextSeq;
    // Signed before the counter moves: a reading the encoder refuses (E_PAYLOAD_SCHEMA) burns no seq.
    const bytes = this.signer.message(seq, reading);
    this.nextSeq++;
    return { deviceId: this.id, seq, bytes };
  }

  /** Stores a message from `sign` durably, then queues it for sending. */
  async send(message: OutboxMessage): Promise<OutboxMessage> {
    if (this.stopped) throw new SimError('E_SIM_STOPPED', `device ${this.id} is stopped`);
    // Spec section 2: the seq is durable before the message leaves the device, so it is never reused.
    await this.options.store.put([message]);
    this.enqueue(message);
    return message;
  }

  /** Takes the next seq without a message to retry (a fault's bytes), durably. */
  async reserveSeq(): Promise<number> {
    const seq = this.nextSeq++;
    await this.options.store.reserve(this.id, seq);
    return seq;
  }

  /**
   * Publishes bytes once, outside the outbox (fault injection): waits up to `timeoutMs` for a connection,
   * then for the PUBACK. Never retried by the device.
   */
  async publishRaw(topic: string, bytes: Uint8Array, timeoutMs = 10_000): Promise<RawPublishOutcome> {
    const deadline = this.options.monotonic() + timeoutMs;
    if (!(await this.waitOnline(timeoutMs))) return 'not_connected';
    const client = this.client;
    if (client === undefined) return 'not_connected';
    return new Promise<RawPublishOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: RawPublishOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.rawWaiters.delete(settle);
        resolve(outcome);
      };
      const timer = setTimeout(() => settle('timeout'), Math.max(1, deadline - this.options.monotonic()));
      this.rawWaiters.add(settle);
      this.counters.sent++;
      // mqtt.js reports success with `null` at run time, though its types say `undefined`.
      client.publish(topic, Buffer.from(bytes), { qos: 1 }, (error) => settle(isError(error) ? 'connection_closed' : 'acked'));
    });
  }

  /** Out of range (false) or back (true): offline, readings keep being stored and are replayed later. */
  setOnline(online: boolean): void {
    if (this.stopped || online === this.wantOnline) return;
    this.wantOnline = online;
    if (online) {
      this.attempt = 0;
      this.connect();
    } else {
      this.log.info('going offline');
      clearTimeout(this.reconnectTimer);
      this.dropConnection(undefined);
      this.state = 'offline';
    }
  }

  /** Resolves once nothing is queued or in flight, or after `timeoutMs` (false then). */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.pendingCount === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.drainWaiters.push(done);
    });
  }

  /** Disconnects (DISCONNECT, or a forced close after 2 s) and stops reconnecting. Stored messages stay stored. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.generation++;
    this.client = undefined;
    this.state = 'stopped';
    for (const settle of [...this.rawWaiters]) settle('connection_closed');
    if (client !== undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          client.end(true);
          resolve();
        }, 2_000);
        client.end(false, {}, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // Nothing more will be acknowledged on this run: what is in flight stays in the store for the next one.
    this.queue = [...this.queue, ...[...this.inflight.values()].map((i) => i.message)].sort((a, b) => a.seq - b.seq);
    this.inflight.clear();
  }

  private enqueue(message: OutboxMessage): void {
    const last = this.queue.at(-1);
    this.queue.push(message);
    // Stores resolve in commit order, so this is rare; keep the queue in seq order regardless.
    if (last !== undefined && last.seq > message.seq) this.queue.sort((a, b) => a.seq - b.seq);
    this.pump();
  }

  private connect(): void {
    if (this.stopped || !this.wantOnline) return;
    const generation = ++this.generation;
    this.state = 'connecting';
    const token = this.signer.connectToken(this.options.wallClock.now());
    const client = mqtt.connect(this.options.brokerUrl, {
      clientId: this.id,
      username: this.id,
      // Spec section 3: the password field carries the token's bytes as they are.
      password: Buffer.from(token),
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: this.options.connectTimeoutMs ?? 5_000,
      keepalive: 30,
      resubscribe: false,
    });
    this.client = client;
    this.lastError = undefined;
    client.on('connect', () => {
      if (generation !== this.generation) return;
      this.state = 'online';
      this.attempt = 0;
      this.counters.connects++;
      this.options.events?.onConnect?.();
      client.subscribe(downlinkTopic(this.id), { qos: 1 }, (error) => {
        if (error !== undefined && error !== null) this.log.warn({ err: error.message }, 'downlink subscription refused');
      });
      // Replay: everything unacknowledged goes out again first, in seq order (store-and-forward).
      this.queue = [...[...this.inflight.values()].map((i) => i.message), ...this.queue].sort((a, b) => a.seq - b.seq);
      this.inflight.clear();
      for (const resolve of [...this.onlineWaiters]) resolve(true);
      this.pump();
    });
    client.on('message', (topic, payload) => {
      if (generation === this.generation && topic === downlinkTopic(this.id)) this.handleDownlink(new Uint8Array(payload));
    });
    client.on('error', (error) => {
      if (generation === this.generation) this.lastError = error;
    });
    client.on('close', () => {
      if (generation !== this.generation) return;
      this.dropConnection(this.lastError);
      this.scheduleReconnect();
    });
  }

  /** Ends the current connection (if any): unacknowledged messages return to the queue. */
  private dropConnection(error: Error | undefined): void {
    const client = this.client;
    const wasOnline = this.state === 'online';
    this.generation++;
    this.client = undefined;
    if (client !== undefined) client.end(true);
    this.queue = [...this.queue, ...[...this.inflight.values()].map((i) => i.message)].sort((a, b) => a.seq - b.seq);
    this.inflight.clear();
    for (const settle of [...this.rawWaiters]) settle('connection_closed');
    if (wasOnline) {
      this.counters.disconnects++;
      this.log.info({ err: error?.message, pending: this.queue.length }, 'disconnected');
    } else {
      this.counters.connectFailures++;
      this.log.debug({ err: error?.message }, 'connection attempt failed');
    }
    this.options.events?.onDisconnect?.(error);
  }

  private scheduleReconnect(): void {
    if (this.stopped || !this.wantOnline) return;
    if (this.options.maxConnectAttempts !== undefined && this.attempt + 1 >= this.options.maxConnectAttempts) {
      this.state = 'offline';
      this.wantOnline = false;
      // Nobody waiting for a connection needs to wait any longer.
      for (const resolve of [...this.onlineWaiters]) resolve(false);
      return;
    }
    const delay = backoffDelayMs(this.attempt++, this.backoff, this.options.random);
    this.state = 'waiting';
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private pump(): void {
    const client = this.client;
    if (client === undefined || this.state !== 'online') return;
    const generation = this.generation;
    while (this.inflight.size < this.maxInflight && this.queue.length > 0) {
      const message = this.queue.shift();
      if (message === undefined) break;
      const resent = this.everSent.has(message.seq);
      this.everSent.add(message.seq);
      this.inflight.set(message.seq, { message, sentAt: this.options.monotonic(), resent });
      this.counters.sent++;
      if (resent) this.counters.resent++;
      client.publish(uplinkTopic(this.id), Buffer.from(message.bytes), { qos: 1 }, (error) => {
        if (generation !== this.generation) return;
        if (isError(error)) {
          // The client failed the publish without closing (it should not happen): retry on a new connection.
          this.log.warn({ err: error.message, seq: message.seq }, 'publish failed; reconnecting');
          this.dropConnection(error);
          this.scheduleReconnect();
          return;
        }
        this.onPuback(message.seq);
      });
    }
  }

  private onPuback(seq: number): void {
    const entry = this.inflight.get(seq);
    if (entry === undefined) return;
    this.inflight.delete(seq);
    this.everSent.delete(seq);
    this.options.store.ack(this.id, seq);
    this.counters.acked++;
    this.recentAcked.push(entry.message);
    if (this.recentAcked.length > 8) this.recentAcked.shift();
    this.options.events?.onDelivered?.(entry.message, this.options.monotonic() - entry.sentAt, entry.resent);
    if (this.pendingCount === 0) for (const done of this.drainWaiters.splice(0)) done();
    this.pump();
  }

  private handleDownlink(bytes: Uint8Array): void {
    const key = this.options.gatewayKey;
    if (key === undefined) {
      this.log.warn('downlink message ignored: no gateway key to verify it with');
      this.options.events?.onDownlinkRejected?.('no_gateway_key');
      return;
    }
    try {
      const message = decodeDownlinkMessage(bytes, key.verifier, this.id);
      this.log.info({ type: message.type, code: message.data['code'], seq: message.data['seq'] }, 'downlink message');
      this.options.events?.onDownlink?.(message);
    } catch (error) {
      if (!isTrialgateError(error)) throw error;
      const reason = String(error.details['reason'] ?? error.code);
      this.log.warn({ reason, err: error.message }, 'downlink message ignored');
      this.options.events?.onDownlinkRejected?.(reason);
    }
  }

  private waitOnline(timeoutMs: number): Promise<boolean> {
    if (this.state === 'online') return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (online: boolean): void => {
        clearTimeout(timer);
        this.onlineWaiters.delete(done);
        resolve(online);
      };
      const timer = setTimeout(() => {
        this.onlineWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      this.onlineWaiters.add(done);
    });
  }
}

function isError(value: Error | null | undefined): value is Error {
  return value !== undefined && value !== null;
}
