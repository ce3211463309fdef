/**
 * A pill dispenser on a USB serial line (spec section 3; docs/serial.md), as a device maker would build it:
 *
 * - every reading gets the next seq, is signed (COSE_Sign1) and stored durably before it is first sent, as
 *   one frame: COBS(message || CRC-32 little-endian) followed by 0x00;
 * - a stored message is freed only by a gateway `ack` downlink whose signature verifies under the gateway key
 *   and whose `digest` is the SHA-256 of exactly this message; messages not acknowledged within
 *   `ackTimeoutMs` are sent again (the gateway acknowledges a retransmission as `duplicate`);
 * - downlink messages arrive on the same line: a `schedule` and a `reminder` are acknowledged with a signed
 *   `downlink_ack` message, and a reminder leads to a dose event (`taken`, naming the reminder's slot and
 *   `scheduled`) unless `onReminder` decides otherwise;
 * - when the line goes away (the USB cable, or the test's socat) it reopens with jittered backoff and resends
 *   what is not acknowledged, in seq order.
 *
 * Fault helpers write garbage and frames with a broken CRC between good frames.
 */
import { createHash } from 'node:crypto';
import { cobsEncode, crc32, encodeSerialFrame, SerialFrameParser, type SerialFrameResult } from '@trialgate/firmware-protocol';
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import { DeviceSigner } from '../device/device-message.js';
import type { DeviceStore } from '../device/device-store.js';
import type { OutboxMessage } from '../device/outbox-message.js';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from '../device/reconnect-backoff.js';
import { decodeDownlinkMessage, type DownlinkMessage } from '../downlink/downlink-message.js';
import type { GatewayKey } from '../downlink/gateway-key.js';
import { SimError } from '../errors/sim-error.js';
import type { Reading } from '../models/reading.js';
import type { Random } from '../random/random.js';
import type { Clock } from '../time/clock.js';
import { signDownlinkAck, type DownlinkAck } from './downlink-ack-message.js';

/** A reminder as the dispenser reads it (gateway/src/downlink/reminder-message.ts). */
export interface ReminderView {
  readonly id: number;
  readonly slot: number;
  readonly scheduled: number;
  readonly windowEnd: number;
  readonly n: number;
}

export interface SerialDispenserEvents {
  onAck?(seq: number, disposition: string, code: string | undefined): void;
  onDownlink?(message: DownlinkMessage): void;
  onDownlinkRejected?(reason: string): void;
  onOpen?(): void;
  onClose?(): void;
}

export interface SerialDispenserOptions {
  readonly identity: { readonly id: string; readonly secretKey: Uint8Array };
  readonly path: string;
  readonly baudRate?: number;
  readonly store: DeviceStore;
  readonly gatewayKey: GatewayKey;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Resend a message not acknowledged after this long (default 2000 ms). */
  readonly ackTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  /** The dose event a reminder leads to (default: taken at once); null: the patient ignores it. */
  readonly onReminder?: (reminder: ReminderView, atMs: number) => Reading | null;
  readonly events?: SerialDispenserEvents;
}

interface Pending {
  readonly message: OutboxMessage;
  readonly digest: string;
  sentAt: number;
}

export class SerialDispenser {
  readonly id: string;
  readonly signer: DeviceSigner;
  readonly counters = { opens: 0, closes: 0, sent: 0, resent: 0, acked: 0, quarantined: 0, downlinks: 0, downlinksRejected: 0, garbageFrames: 0 };
  private readonly options: SerialDispenserOptions;
  private readonly log: Logger;
  private readonly pending = new Map<number, Pending>();
  private readonly schedules: DownlinkMessage[] = [];
  private nextSeq = 1;
  private port: SerialPort | null = null;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private resendTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  private drainWaiters: (() => void)[] = [];

  constructor(options: SerialDispenserOptions) {
    this.options = options;
    this.id = options.identity.id;
    this.signer = new DeviceSigner(this.id, options.identity.secretKey);
    this.log = options.logger.child({ device: this.id, port: options.path });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const resumed = this.options.store.resume(this.id);
    this.nextSeq = resumed.lastSeq + 1;
    for (const message of resumed.pending) this.pending.set(message.seq, { message, digest: digestHex(message.bytes), sentAt: 0 });
    this.open();
    const interval = Math.max(50, Math.floor((this.options.ackTimeoutMs ?? 2000) / 2));
    this.resendTimer = setInterval(() => this.resendOverdue(), interval);
    this.resendTimer.unref();
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  /** Messages stored and not yet acknowledged. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The schedules received, newest last. */
  get receivedSchedules(): readonly DownlinkMessage[] {
    return this.schedules;
  }

  /** Numbers, signs and stores a reading, then sends it. Resolves once stored (not when acknowledged). */
  async record(reading: Reading): Promise<OutboxMessage> {
    return this.storeAndSend((seq) => this.signer.message(seq, reading));
  }

  /** Writes bytes as they are (garbage, a hand-made frame). */
  writeRaw(bytes: Uint8Array): Promise<void> {
    return this.write(bytes);
  }

  /** A reading whose frame carries a wrong CRC-32: the gateway quarantines it; it is not stored or resent. */
  writeWithBadCrc(reading: Reading, seq: number): Promise<void> {
    const message = this.signer.message(seq, reading);
    const body = Buffer.alloc(message.length + 4);
    body.set(message);
    body.writeUInt32LE((crc32(message) ^ 0x8000_0000) >>> 0, message.length);
    return this.write(Buffer.concat([cobsEncode(body), Buffer.from([0])]));
  }

  /** Resolves once every stored message is acknowledged; rejects after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
        reject(new SimError('E_SIM_STOPPED', `device ${this.id}: ${this.pending.size} message(s) still unacknowledged after ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.drainWaiters.push(done);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.resendTimer);
    const port = this.port;
    this.port = null;
    if (port?.isOpen === true) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private async storeAndSend(build: (seq: number) => Uint8Array): Promise<OutboxMessage> {
    if (this.stopped) throw new SimError('E_SIM_STOPPED', `device ${this.id} is stopped`);
    const seq = this.nextSeq++;
    const message: OutboxMessage = { deviceId: this.id, seq, bytes: build(seq) };
    await this.options.store.put([message]);
    const entry: Pending = { message, digest: digestHex(message.bytes), sentAt: 0 };
    this.pending.set(seq, entry);
    this.send(entry, false);
    return message;
  }

  private send(entry: Pending, resend: boolean): void {
    if (!this.isOpen) return;
    entry.sentAt = this.options.clock.now();
    if (resend) this.counters.resent += 1;
    else this.counters.sent += 1;
    this.write(encodeSerialFrame(entry.message.bytes)).catch(() => undefined);
  }

  private resendOverdue(): void {
    const now = this.options.clock.now();
    const timeout = this.options.ackTimeoutMs ?? 2000;
    for (const entry of [...this.pending.values()].sort((a, b) => a.message.seq - b.message.seq)) {
      if (now - entry.sentAt >= timeout) this.send(entry, entry.sentAt !== 0);
    }
  }

  private write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (port === null || !port.isOpen) return Promise.reject(new SimError('E_SIM_STOPPED', 'the serial line is not open'));
    return new Promise((resolve, reject) => port.write(Buffer.from(bytes), (error) => (error === null || error === undefined ? resolve() : reject(error))));
  }

  private open(): void {
    if (this.stopped) return;
    const port = new SerialPort({ path: this.options.path, baudRate: this.options.baudRate ?? 115_200, autoOpen: false, lock: false });
    port.open((error) => {
      if (error !== null && error !== undefined) {
        this.log.debug({ err: error.message }, 'serial line cannot be opened; retrying');
        this.retry();
        return;
      }
      if (this.stopped) {
        port.close();
        return;
      }
      this.port = port;
      this.attempt = 0;
      this.counters.opens += 1;
      this.log.info('serial line open');
      const parser = new SerialFrameParser();
      port.pipe(parser);
      parser.on('data', (result: SerialFrameResult) => this.onFrame(result));
      port.on('error', () => undefined);
      port.on('close', () => {
        port.unpipe(parser);
        if (this.port === port) this.port = null;
        this.counters.closes += 1;
        this.options.events?.onClose?.();
        if (!this.stopped) {
          this.log.info('serial line closed; reopening');
          this.retry();
        }
      });
      this.options.events?.onOpen?.();
      // A 0x00 first ends whatever partial frame the gateway holds from before; then resend in seq order.
      this.write(new Uint8Array([0])).catch(() => undefined);
      for (const entry of [...this.pending.values()].sort((a, b) => a.message.seq - b.message.seq)) this.send(entry, entry.sentAt !== 0);
    });
  }

  private retry(): void {
    if (this.stopped) return;
    const delay = backoffDelayMs(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.retryTimer.unref();
  }

  private onFrame(result: SerialFrameResult): void {
    if (!result.ok) {
      this.counters.garbageFrames += 1;
      return;
    }
    let message: DownlinkMessage;
    try {
      message = decodeDownlinkMessage(result.payload, this.options.gatewayKey.verifier, this.id);
    } catch (error) {
      this.counters.downlinksRejected += 1;
      const reason = error instanceof SimError ? String(error.details['reason'] ?? error.code) : 'decode';
      this.options.events?.onDownlinkRejected?.(reason);
      return;
    }
    if (message.type === 'ack') {
      this.onAck(message);
      return;
    }
    this.counters.downlinks += 1;
    this.options.events?.onDownlink?.(message);
    if (message.type === 'schedule') {
      this.schedules.push(message);
      this.acknowledge(message, 'schedule');
    } else if (message.type === 'reminder') {
      this.acknowledge(message, 'reminder');
      const reminder = readReminder(message.data);
      if (reminder === null) return;
      const now = this.options.clock.now();
      const reading =
        this.options.onReminder === undefined
          ? { t: now, type: 'dose_event' as const, data: { event: 'taken', slot: reminder.slot, scheduled: reminder.scheduled } }
          : this.options.onReminder(reminder, now);
      if (reading !== null) this.record(reading).catch((error: unknown) => this.log.warn({ err: String(error) }, 'could not record the dose'));
    }
  }

  private onAck(message: DownlinkMessage): void {
    const digest = message.data['digest'];
    if (!(digest instanceof Uint8Array)) return;
    const hex = Buffer.from(digest).toString('hex');
    const entry = [...this.pending.values()].find((p) => p.digest === hex);
    // An ack for other bytes (a forged or corrupted copy with our seq) frees nothing.
    if (entry === undefined) return;
    const disposition = String(message.data['disposition']);
    const code = typeof message.data['code'] === 'string' ? message.data['code'] : undefined;
    this.pending.delete(entry.message.seq);
    this.options.store.ack(this.id, entry.message.seq);
    if (disposition === 'quarantined') this.counters.quarantined += 1;
    else this.counters.acked += 1;
    this.options.events?.onAck?.(entry.message.seq, disposition, code);
    if (this.pending.size === 0) for (const waiter of this.drainWaiters.splice(0)) waiter();
  }

  private acknowledge(message: DownlinkMessage, of: string): void {
    const ref = message.data['id'];
    if (typeof ref !== 'number' || !Number.isSafeInteger(ref)) return;
    const ack: DownlinkAck = { ref, of, status: 'accepted' };
    this.storeAndSend((seq) => signDownlinkAck({ deviceId: this.id, seq, t: this.options.clock.now(), ack, secretKey: this.options.identity.secretKey })).catch(
      (error: unknown) => this.log.warn({ err: String(error) }, 'could not acknowledge a downlink message'),
    );
  }
}

function readReminder(data: Readonly<Record<string, unknown>>): ReminderView | null {
  const number = (key: string): number | null => {
    const value = data[key];
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
  };
  const id = number('id');
  const slot = number('slot');
  const scheduled = number('scheduled');
  const windowEnd = number('window_end');
  const n = number('n');
  if (id === null || slot === null || scheduled === null || windowEnd === null || n === null) return null;
  return { id, slot, scheduled, windowEnd, n };
}

function digestHex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
