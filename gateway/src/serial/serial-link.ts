/**
 * One serial line (`--serial PATH[:BAUD]`): device messages in, acks and downlink messages out (spec section
 * 3; docs/serial.md for device makers).
 *
 *   bytes -> SerialFrameParser (COBS, CRC-32, resynchronisation, bounded memory)
 *     good frame -> IngestPipeline.ingest (transport `serial`: MQTT's verification, quarantine, durability)
 *                -> once durable: an `ack` frame naming the device, seq, digest and disposition
 *     bad frame  -> quarantined with its reason (E_COBS, E_FRAME_CRC, E_FRAME_TOO_SHORT, E_FRAME_TOO_LARGE,
 *                   E_FRAME_INCOMPLETE); no ack (nobody can be named), so the device resends
 *
 * A serial line authenticates nobody: the sender is whoever the message's kid names, and the signature
 * decides. A device counts as "on this line" (for downlink routing) only after a message of its own was
 * logged from the line, that is after its signature verified.
 *
 * Unplugging: when the port closes the link says so once (warn), reopens with jittered exponential backoff
 * (a failed attempt logs at debug), and says when it is back (info). Bytes of a frame cut by the unplug are
 * quarantined as E_FRAME_INCOMPLETE. Messages whose ack could not be written are resent by the device and
 * acknowledged again as duplicates.
 */
import { encodeSerialFrame, SerialFrameParser, type SerialFrameResult } from '@trialgate/firmware-protocol';
import type { Logger } from 'pino';
import type { TimerPort } from '../checkpoints/timer-port.js';
import type { Clock } from '../clock.js';
import { messageDigest, signAck } from '../downlink/ack-message.js';
import type { DownlinkSigner } from '../downlink/downlink-signer.js';
import type { IngestMessage } from '../ingest/ingest-message.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import { BadFrameLimiter } from './bad-frame-limiter.js';
import { backoffDelayMs, DEFAULT_REOPEN_BACKOFF, type BackoffPolicy, type RandomSource } from './reopen-backoff.js';
import { ackForOutcome } from './serial-ack.js';
import { SerialError } from './serial-error.js';
import type { OpenSerialLine, SerialLineConnection } from './serial-line.js';
import type { SerialPortSpec } from './serial-port-spec.js';

export type SerialLinkState = 'opening' | 'open' | 'waiting' | 'closed';

export interface SerialLinkDependencies {
  readonly spec: SerialPortSpec;
  readonly openLine: OpenSerialLine;
  readonly pipeline: Pick<IngestPipeline, 'ingest' | 'reject'>;
  readonly signer: DownlinkSigner;
  readonly clock: Clock;
  readonly timers: TimerPort;
  readonly random: RandomSource;
  readonly logger: Logger;
  /** Largest device message (the gateway's `--max-message-bytes`): longer frames are refused. */
  readonly maxMessageBytes: number;
  readonly backoff?: BackoffPolicy;
  /** Messages of this line between receipt and ack at once; reading pauses beyond (default 64). */
  readonly maxInFlight?: number;
  /** Refused frames recorded one by one per second; more are summarised (default 50). */
  readonly badFramesPerSecond?: number;
  /** A device's message was logged from this line (its signature verified). */
  readonly onDeviceSeen?: (deviceId: string) => void;
  /** The line (re)opened: pending downlink messages may be sent. */
  readonly onOpen?: () => void;
}

const EMPTY = new Uint8Array(0);

export class SerialLink {
  readonly path: string;
  private readonly deps: SerialLinkDependencies;
  private readonly log: Logger;
  private readonly source: string;
  private readonly limiter: BadFrameLimiter;
  private readonly maxInFlight: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly seen = new Map<string, number>();
  private connection: SerialLineConnection | null = null;
  private parser: SerialFrameParser | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private summaryTimer: unknown = null;
  private accepting = true;
  private everOpened = false;
  private lastOpenError: string | null = null;
  private writes: Promise<void> = Promise.resolve();
  state: SerialLinkState = 'closed';
  readonly counters = { opens: 0, closes: 0, frames: 0, badFrames: 0, acks: 0, ackWriteFailures: 0, downlinks: 0 };

  constructor(deps: SerialLinkDependencies) {
    this.deps = deps;
    this.path = deps.spec.path;
    this.source = `serial:${deps.spec.path}`;
    this.log = deps.logger.child({ port: deps.spec.path });
    this.limiter = new BadFrameLimiter(deps.badFramesPerSecond ?? 50);
    this.maxInFlight = deps.maxInFlight ?? 64;
  }

  /** Opens the port now and keeps it open (reopening after an unplug) until `close()`. */
  start(): void {
    if (this.state !== 'closed' || !this.accepting) return;
    this.open();
  }

  /** Devices whose messages were logged from this line, with the gateway time last seen. */
  get devices(): ReadonlyMap<string, number> {
    return this.seen;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Writes signed downlink bytes (a schedule, a reminder) as one frame. Rejects with E_SERIAL_NOT_OPEN when
   * the line is down (the caller keeps the message and sends it when the line is back).
   */
  async send(bytes: Uint8Array): Promise<void> {
    await this.write(encodeSerialFrame(bytes));
    this.counters.downlinks += 1;
  }

  /** Stops reading new frames; messages already read finish and get their acks. */
  async stopAccepting(): Promise<void> {
    this.accepting = false;
    this.clearRetry();
    this.parser?.pause();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops the link: finishes in-flight messages, closes the port, records any suppressed frames. */
  async close(): Promise<void> {
    await this.stopAccepting();
    const connection = this.connection;
    this.connection = null;
    this.state = 'closed';
    if (connection !== null) await connection.close();
    await this.flushSuppressed();
    if (this.summaryTimer !== null) this.deps.timers.clearTimeout(this.summaryTimer);
  }

  private open(): void {
    this.state = 'opening';
    this.deps.openLine(this.deps.spec).then(
      (connection) => this.opened(connection),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        // The first failure (and any new kind of failure) is worth a warning; repeats only at debug.
        if (message !== this.lastOpenError) this.log.warn({ event: 'serial_open_failed', err: message }, `cannot open serial port ${this.path}: ${message}; retrying`);
        else this.log.debug({ event: 'serial_open_failed', err: message }, 'serial port still cannot be opened');
        this.lastOpenError = message;
        this.retry();
      },
    );
  }

  private opened(connection: SerialLineConnection): void {
    if (!this.accepting) {
      void connection.close();
      return;
    }
    this.connection = connection;
    this.state = 'open';
    this.counters.opens += 1;
    this.attempt = 0;
    this.lastOpenError = null;
    this.log.info(
      { event: this.everOpened ? 'serial_reopened' : 'serial_open', baudRate: this.deps.spec.baudRate },
      this.everOpened ? `serial port ${this.path} is back` : `serial port ${this.path} open`,
    );
    this.everOpened = true;
    const parser = new SerialFrameParser({ maxPayloadBytes: this.deps.maxMessageBytes });
    this.parser = parser;
    parser.on('data', (result: SerialFrameResult) => this.track(this.handle(result)));
    parser.on('error', (error: Error) => this.log.error({ event: 'serial_parser_error', err: error }, 'frame parser failed'));
    // pipe: when too many messages are in flight the parser is paused, and back-pressure stops reading.
    connection.readable.pipe(parser);
    connection.readable.on('error', () => undefined);
    connection.onClose((error) => this.closed(connection, parser, error));
    this.deps.onOpen?.();
  }

  private closed(connection: SerialLineConnection, parser: SerialFrameParser, error: Error | null): void {
    // The bytes of a frame cut off by the unplug come out as E_FRAME_INCOMPLETE and are quarantined.
    connection.readable.unpipe(parser);
    if (!parser.writableEnded) parser.end();
    if (this.connection !== connection) return;
    this.connection = null;
    this.counters.closes += 1;
    if (!this.accepting) {
      this.state = 'closed';
      return;
    }
    this.log.warn(
      { event: 'serial_closed', err: error?.message ?? null },
      `serial port ${this.path} closed${error === null ? '' : ` (${error.message})`}: device unplugged? reopening with backoff`,
    );
    this.retry();
  }

  private retry(): void {
    if (!this.accepting) {
      this.state = 'closed';
      return;
    }
    this.state = 'waiting';
    const delay = backoffDelayMs(this.attempt, this.deps.backoff ?? DEFAULT_REOPEN_BACKOFF, this.deps.random);
    this.attempt += 1;
    this.clearRetry();
    this.retryTimer = this.deps.timers.setTimeout(() => {
      this.retryTimer = null;
      if (this.accepting) this.open();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.deps.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    if (this.inFlight.size >= this.maxInFlight) this.parser?.pause();
    void work.finally(() => {
      this.inFlight.delete(work);
      if (this.inFlight.size < this.maxInFlight && this.accepting) this.parser?.resume();
    });
  }

  private async handle(result: SerialFrameResult): Promise<void> {
    const receivedAtMs = this.deps.clock.now();
    if (!result.ok) {
      this.counters.badFrames += 1;
      if (!this.limiter.admit(receivedAtMs, result.error.code)) {
        this.scheduleSummary();
        return;
      }
      const message: IngestMessage = { transport: 'serial', bytes: result.raw ?? EMPTY, receivedAtMs, senderDeviceId: null, source: this.source };
      try {
        await this.deps.pipeline.reject(message, {
          reason: result.error.code,
          message: result.error.message,
          deviceId: null,
          seq: null,
          impersonation: false,
          details: result.error.details,
        });
      } catch (error) {
        this.log.error({ event: 'quarantine_failed', err: error }, 'could not quarantine a refused frame');
      }
      return;
    }
    this.counters.frames += 1;
    const message: IngestMessage = { transport: 'serial', bytes: result.payload, receivedAtMs, senderDeviceId: null, source: this.source };
    let outcome;
    try {
      outcome = await this.deps.pipeline.ingest(message);
    } catch (error) {
      // Nothing was decided durably (the log failed, or the gateway is stopping): no ack, the device resends.
      this.log.warn({ event: 'ingest_failed', err: error }, 'a message could not be decided; not acknowledged');
      return;
    }
    if (outcome.status !== 'quarantined') {
      this.seen.set(outcome.deviceId, receivedAtMs);
      this.deps.onDeviceSeen?.(outcome.deviceId);
    }
    const addressed = ackForOutcome(outcome, messageDigest(result.payload));
    if (addressed === null) return;
    try {
      await this.write(encodeSerialFrame(signAck({ dev: addressed.deviceId, t: this.deps.clock.now(), ack: addressed.ack }, this.deps.signer)));
      this.counters.acks += 1;
    } catch {
      // The line went away after the decision: the device resends and is acknowledged as a duplicate.
      this.counters.ackWriteFailures += 1;
    }
  }

  private write(frame: Uint8Array): Promise<void> {
    const run = this.writes.then(() => {
      const connection = this.connection;
      if (connection === null || this.state !== 'open') {
        throw new SerialError('E_SERIAL_NOT_OPEN', `serial port ${this.path} is not open`, { details: { path: this.path } });
      }
      return connection.write(frame);
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  private scheduleSummary(): void {
    if (this.summaryTimer !== null) return;
    this.summaryTimer = this.deps.timers.setTimeout(() => {
      this.summaryTimer = null;
      void this.flushSuppressed();
    }, 1000);
  }

  private async flushSuppressed(): Promise<void> {
    const suppressed = this.limiter.take();
    if (suppressed === null) return;
    this.log.warn({ event: 'serial_frames_suppressed', count: suppressed.count, byReason: suppressed.byReason }, 'a burst of refused frames was counted, not recorded one by one');
    try {
      await this.deps.pipeline.reject(
        { transport: 'serial', bytes: EMPTY, receivedAtMs: suppressed.toMs, senderDeviceId: null, source: this.source },
        {
          reason: 'E_SERIAL_FRAMES_SUPPRESSED',
          message: `${suppressed.count} more refused frame(s) on ${this.path} within a second, counted here instead of one record each`,
          deviceId: null,
          seq: null,
          impersonation: false,
          details: { ...suppressed },
        },
      );
    } catch (error) {
      this.log.error({ event: 'quarantine_failed', err: error }, 'could not record suppressed frames');
    }
  }
}
