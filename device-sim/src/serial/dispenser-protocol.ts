/**
 * What a signing dispenser does over a transport without its own acknowledgement (a serial line, the BLE
 * message service), independent of the transport (docs/serial.md, docs/ble.md, docs/dosing.md):
 *
 * - each reading gets the next seq, is signed and stored durably before it is first transmitted, and is
 *   kept until a gateway `ack` whose signature verifies under the gateway key names exactly its bytes (the
 *   SHA-256 `digest`); what is not acknowledged within `ackTimeoutMs` is transmitted again;
 * - a `schedule` or `reminder` downlink is acknowledged with a signed `downlink_ack` message, and a reminder
 *   leads to a dose event (`taken`, with the reminder's slot and `scheduled`) unless `onReminder` decides
 *   otherwise.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { DeviceSigner } from '../device/device-message.js';
import type { DeviceStore } from '../device/device-store.js';
import type { OutboxMessage } from '../device/outbox-message.js';
import { decodeDownlinkMessage, type DownlinkMessage } from '../downlink/downlink-message.js';
import type { GatewayKey } from '../downlink/gateway-key.js';
import { SimError } from '../errors/sim-error.js';
import type { Reading } from '../models/reading.js';
import type { Clock } from '../time/clock.js';
import { signDownlinkAck, type DownlinkAck } from './downlink-ack-message.js';

/** A reminder as the dispenser reads it (docs/dosing.md). */
export interface ReminderView {
  readonly id: number;
  readonly slot: number;
  readonly scheduled: number;
  readonly windowEnd: number;
  readonly n: number;
}

export interface DispenserEvents {
  onAck?(seq: number, disposition: string, code: string | undefined): void;
  onDownlink?(message: DownlinkMessage): void;
  onDownlinkRejected?(reason: string): void;
}

export interface DispenserProtocolOptions {
  readonly identity: { readonly id: string; readonly secretKey: Uint8Array };
  readonly store: DeviceStore;
  readonly gatewayKey: GatewayKey;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Sends one signed device message now (framing is the transport's); false when it cannot. */
  readonly transmit: (bytes: Uint8Array) => boolean;
  /** Transmit again what is not acknowledged after this long (default 2000 ms). */
  readonly ackTimeoutMs?: number;
  /** The dose event a reminder leads to (default: taken at once); null: the patient ignores it. */
  readonly onReminder?: (reminder: ReminderView, atMs: number) => Reading | null;
  readonly events?: DispenserEvents;
}

interface Pending {
  readonly message: OutboxMessage;
  readonly digest: string;
  sentAt: number;
}

export class DispenserProtocol {
  readonly id: string;
  readonly signer: DeviceSigner;
  readonly counters = { sent: 0, resent: 0, acked: 0, quarantined: 0, downlinks: 0, downlinksRejected: 0, remindersTaken: 0 };
  private readonly options: DispenserProtocolOptions;
  private readonly pending = new Map<number, Pending>();
  private readonly schedules: DownlinkMessage[] = [];
  private readonly reminders: ReminderView[] = [];
  private nextSeq = 1;
  private started = false;
  private drainWaiters: (() => void)[] = [];

  constructor(options: DispenserProtocolOptions) {
    this.options = options;
    this.id = options.identity.id;
    this.signer = new DeviceSigner(this.id, options.identity.secretKey);
  }

  /** Resumes the seq counter and the unacknowledged messages from the store. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const resumed = this.options.store.resume(this.id);
    this.nextSeq = resumed.lastSeq + 1;
    for (const message of resumed.pending) this.pending.set(message.seq, { message, digest: digestHex(message.bytes), sentAt: 0 });
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  get receivedSchedules(): readonly DownlinkMessage[] {
    return this.schedules;
  }

  get receivedReminders(): readonly ReminderView[] {
    return this.reminders;
  }

  /** Numbers, signs and stores a reading, then transmits it. Resolves once stored. */
  record(reading: Reading): Promise<OutboxMessage> {
    return this.storeAndSend((seq) => this.signer.message(seq, reading));
  }

  /** Transmits every unacknowledged message in seq order (after a (re)connection). */
  transmitAll(): void {
    for (const entry of this.inOrder()) this.transmit(entry);
  }

  /** Transmits again what is overdue. */
  transmitOverdue(): void {
    const now = this.options.clock.now();
    const timeout = this.options.ackTimeoutMs ?? 2000;
    for (const entry of this.inOrder()) if (now - entry.sentAt >= timeout) this.transmit(entry);
  }

  /** A complete downlink message received (verified here). */
  receive(bytes: Uint8Array): void {
    let message: DownlinkMessage;
    try {
      message = decodeDownlinkMessage(bytes, this.options.gatewayKey.verifier, this.id);
    } catch (error) {
      this.counters.downlinksRejected += 1;
      this.options.events?.onDownlinkRejected?.(error instanceof SimError ? String(error.details['reason'] ?? error.code) : 'decode');
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
      this.reminders.push(reminder);
      const now = this.options.clock.now();
      const reading =
        this.options.onReminder === undefined
          ? { t: now, type: 'dose_event' as const, data: { event: 'taken', slot: reminder.slot, scheduled: reminder.scheduled } }
          : this.options.onReminder(reminder, now);
      if (reading === null) return;
      this.counters.remindersTaken += 1;
      this.record(reading).catch((error: unknown) => this.options.logger.warn({ err: String(error) }, 'could not record the dose'));
    }
  }

  /** Resolves once every stored message is acknowledged; rejects after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.drainWaiters = this.drainWaiters.filter((w) => w !== done);
        reject(new SimError('E_SIM_STOPPED', `device ${this.id}: ${this.pending.size} message(s) still unacknowledged after ${timeoutMs} ms`));
      }, timeoutMs);
      this.drainWaiters.push(done);
    });
  }

  private async storeAndSend(build: (seq: number) => Uint8Array): Promise<OutboxMessage> {
    const seq = this.nextSeq++;
    const message: OutboxMessage = { deviceId: this.id, seq, bytes: build(seq) };
    await this.options.store.put([message]);
    const entry: Pending = { message, digest: digestHex(message.bytes), sentAt: 0 };
    this.pending.set(seq, entry);
    this.transmit(entry);
    return message;
  }

  private transmit(entry: Pending): void {
    if (!this.options.transmit(entry.message.bytes)) return;
    if (entry.sentAt === 0) this.counters.sent += 1;
    else this.counters.resent += 1;
    entry.sentAt = this.options.clock.now();
  }

  private inOrder(): Pending[] {
    return [...this.pending.values()].sort((a, b) => a.message.seq - b.message.seq);
  }

  private onAck(message: DownlinkMessage): void {
    const digest = message.data['digest'];
    if (!(digest instanceof Uint8Array)) return;
    const hex = Buffer.from(digest).toString('hex');
    // An ack for other bytes (a forged or corrupted copy with our seq) frees nothing.
    const entry = [...this.pending.values()].find((p) => p.digest === hex);
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
      (error: unknown) => this.options.logger.warn({ err: String(error) }, 'could not acknowledge a downlink message'),
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
