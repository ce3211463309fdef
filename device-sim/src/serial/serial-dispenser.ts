/**
 * A pill dispenser on a USB serial line (spec section 3; docs/serial.md), as a device maker would build it:
 * the dispenser protocol (dispenser-protocol.ts: seq, durable outbox, acks by digest, downlink acks,
 * reminders -> dose events) over frames COBS(message || CRC-32 little-endian) + 0x00, on a tty opened with
 * the serialport package. When the line goes away (the USB cable, or the test's socat) it reopens with
 * jittered backoff, first writes a 0x00 (ending any partial frame the gateway holds) and transmits again
 * what is not acknowledged, in seq order.
 *
 * Fault helpers write garbage and frames with a broken CRC between good frames.
 */
import { realpathSync } from 'node:fs';
import { cobsEncode, crc32, encodeSerialFrame, SerialFrameParser, type SerialFrameResult } from '@trialgate/firmware-protocol';
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import type { DeviceStore } from '../device/device-store.js';
import type { OutboxMessage } from '../device/outbox-message.js';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from '../device/reconnect-backoff.js';
import type { DownlinkMessage } from '../downlink/downlink-message.js';
import type { GatewayKey } from '../downlink/gateway-key.js';
import { SimError } from '../errors/sim-error.js';
import type { Reading } from '../models/reading.js';
import type { Random } from '../random/random.js';
import type { Clock } from '../time/clock.js';
import { DispenserProtocol, type DispenserEvents, type ReminderView } from './dispenser-protocol.js';

export interface SerialDispenserOptions {
  readonly identity: { readonly id: string; readonly secretKey: Uint8Array };
  readonly path: string;
  readonly baudRate?: number;
  readonly store: DeviceStore;
  readonly gatewayKey: GatewayKey;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly ackTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly onReminder?: (reminder: ReminderView, atMs: number) => Reading | null;
  readonly events?: DispenserEvents & { onOpen?(): void; onClose?(): void };
}

export class SerialDispenser {
  readonly id: string;
  readonly protocol: DispenserProtocol;
  readonly counters = { opens: 0, closes: 0, garbageFrames: 0 };
  private readonly options: SerialDispenserOptions;
  private readonly log: Logger;
  private port: SerialPort | null = null;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private resendTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private openedDevice: string | null = null;
  private stopped = true;

  constructor(options: SerialDispenserOptions) {
    this.options = options;
    this.id = options.identity.id;
    this.log = options.logger.child({ device: this.id, port: options.path });
    this.protocol = new DispenserProtocol({
      identity: options.identity,
      store: options.store,
      gatewayKey: options.gatewayKey,
      clock: options.clock,
      logger: this.log,
      transmit: (bytes) => this.transmit(bytes),
      ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
      ...(options.onReminder === undefined ? {} : { onReminder: options.onReminder }),
      ...(options.events === undefined ? {} : { events: options.events }),
    });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.protocol.start();
    this.open();
    const interval = Math.max(50, Math.floor((this.options.ackTimeoutMs ?? 2000) / 2));
    this.resendTimer = setInterval(() => this.protocol.transmitOverdue(), interval);
    this.resendTimer.unref();
    // A pseudo-terminal whose other side vanished does not always fail a pending read (the read can stay
    // blocked), so the simulator also watches the path: gone or pointing at another device means unplugged.
    this.watchdog = setInterval(() => this.checkPath(), 200);
    this.watchdog.unref();
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  get pendingCount(): number {
    return this.protocol.pendingCount;
  }

  get receivedSchedules(): readonly DownlinkMessage[] {
    return this.protocol.receivedSchedules;
  }

  record(reading: Reading): Promise<OutboxMessage> {
    if (this.stopped) return Promise.reject(new SimError('E_SIM_STOPPED', `device ${this.id} is stopped`));
    return this.protocol.record(reading);
  }

  /** Writes bytes as they are (garbage, a hand-made frame). */
  writeRaw(bytes: Uint8Array): Promise<void> {
    return this.write(bytes);
  }

  /** A reading in a frame whose CRC-32 is wrong: the gateway quarantines it. Not stored, not resent. */
  writeWithBadCrc(reading: Reading, seq: number): Promise<void> {
    const message = this.protocol.signer.message(seq, reading);
    const body = Buffer.alloc(message.length + 4);
    body.set(message);
    body.writeUInt32LE((crc32(message) ^ 0x8000_0000) >>> 0, message.length);
    return this.write(Buffer.concat([cobsEncode(body), Buffer.from([0])]));
  }

  drain(timeoutMs: number): Promise<void> {
    return this.protocol.drain(timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.resendTimer);
    clearInterval(this.watchdog);
    const port = this.port;
    this.port = null;
    if (port?.isOpen === true) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private transmit(bytes: Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.write(encodeSerialFrame(bytes)).catch(() => undefined);
    return true;
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
      this.openedDevice = resolvedPath(this.options.path);
      this.attempt = 0;
      this.counters.opens += 1;
      this.log.info('serial line open');
      const parser = new SerialFrameParser();
      port.pipe(parser);
      parser.on('data', (result: SerialFrameResult) => {
        if (result.ok) this.protocol.receive(result.payload);
        else this.counters.garbageFrames += 1;
      });
      // A read error other than a disconnect (EIO on a pseudo-terminal whose other side went away) stops
      // reading without closing the port: close it, so that the line is reopened.
      port.on('error', () => {
        if (port.isOpen) port.close();
      });
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
      this.protocol.transmitAll();
    });
  }

  private checkPath(): void {
    const port = this.port;
    if (port === null || this.openedDevice === null || resolvedPath(this.options.path) === this.openedDevice) return;
    this.log.info('serial line gone (its path no longer names the device opened)');
    this.port = null;
    this.openedDevice = null;
    this.counters.closes += 1;
    this.options.events?.onClose?.();
    port.removeAllListeners('close');
    port.on('close', () => undefined);
    if (port.isOpen) port.close();
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    const delay = backoffDelayMs(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
    this.retryTimer.unref();
  }
}

function resolvedPath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}
