/**
 * The path of one device message (issue 3), the same for every transport:
 *
 *   size limit -> COSE_Sign1 structure -> kid = the sender the transport authenticated -> registry
 *   (enrolled, active, transport allowed) -> on a worker thread: payload schema, `dev` = kid, signature ->
 *   the seq claim, decided atomically with the append: new -> appended; same seq, same bytes -> duplicate
 *   (acknowledged again, not appended); same seq, other bytes -> quarantined as a conflict.
 *
 * The main thread runs the broker and the log, and only takes the COSE structure apart (to know the kid and
 * the key), with a reader that allocates nothing for messages in the spec's own shape
 * (read-cose-structure.ts; anything else goes to the strict decoder); the payload decoding and the
 * signature, most of the work, run on the workers (measured in bench/suites/ingest.ts: the main thread was
 * the busier one).
 *
 * Every refusal is durably quarantined with its reason code before the outcome is returned (spec section 7),
 * counted and logged (the code and where, never the bytes, values or message text, which may quote a
 * reading). The promise resolves only once the entry or the quarantine record is durable, so a transport
 * that acknowledges on resolution never acknowledges something a crash could lose; it rejects (and the
 * transport must not acknowledge) only when the log itself fails.
 */
import { performance } from 'node:perf_hooks';
import { decodeCoseSign1, isTrialgateError, type CoseSign1 } from '@trialgate/firmware-protocol';
import type { Logger } from 'pino';
import type { DeviceRecord } from '../registry/device-record.js';
import type { RegistryLookup } from '../registry/device-registry.js';
import type { GatewayLog } from '../storage/gateway-log.js';
import { clockSkewFlag, type EntryFlag } from './entry-flags.js';
import { IngestError, noKeyMessage } from './ingest-error.js';
import type { IngestMessage, IngestOutcome, IngestQuarantined, IngestRejection } from './ingest-message.js';
import type { IngestMetrics } from './ingest-metrics.js';
import { KeyedSequencer } from './keyed-sequencer.js';
import type { MessageCheckResult } from './message-check.js';
import { readCoseSign1Structure } from './read-cose-structure.js';
import type { MessageChecker } from './message-checker.js';

const NO_FLAGS: readonly EntryFlag[] = Object.freeze([]);

export interface IngestPipelineDependencies {
  readonly log: GatewayLog;
  readonly registry: RegistryLookup;
  /** Payload schema, `dev` = kid and signature, on worker threads (worker-check-pool.ts) or inline. */
  readonly checker: MessageChecker;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  /** `--max-message-bytes`. */
  readonly maxMessageBytes: number;
  /** `--clock-skew-tolerance`, ms. */
  readonly clockSkewToleranceMs: number;
}

export class IngestPipeline {
  private readonly sequencer = new KeyedSequencer();
  private inFlight = 0;
  private idle: (() => void) | null = null;
  private closing: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly deps: IngestPipelineDependencies) {}

  /** Messages between receipt and their durable decision. */
  get pending(): number {
    return this.inFlight;
  }

  async ingest(message: IngestMessage): Promise<IngestOutcome> {
    if (this.closed) throw new IngestError('E_INGEST_CLOSED', 'the gateway is stopping; resend later');
    this.inFlight += 1;
    const started = performance.now();
    try {
      this.deps.metrics.received.inc({ transport: message.transport });
      const outcome = await this.decide(message);
      this.deps.metrics.decisionSeconds.observe({ outcome: outcome.status }, (performance.now() - started) / 1000);
      return outcome;
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0 && this.idle !== null) this.idle();
    }
  }

  /**
   * Quarantines a message a transport refused on its own (an MQTT publish to a topic not its uplink) with the
   * same record, metric and log line as the pipeline's refusals.
   */
  async reject(message: IngestMessage, rejection: IngestRejection): Promise<IngestQuarantined> {
    const record = await this.deps.log.quarantine({
      receivedAtMs: message.receivedAtMs,
      transport: message.transport,
      claimedDeviceId: rejection.deviceId,
      source: message.source,
      reason: rejection.reason,
      message: rejection.message,
      details: {
        ...(rejection.details ?? {}),
        ...(rejection.seq === null ? {} : { seq: rejection.seq }),
        ...(message.senderDeviceId === null ? {} : { sender: message.senderDeviceId }),
        impersonation: rejection.impersonation,
      },
      original: message.bytes,
    });
    this.deps.metrics.rejected.inc({ reason: rejection.reason });
    this.deps.logger.warn(
      {
        event: 'quarantined',
        reason: rejection.reason,
        transport: message.transport,
        deviceId: rejection.deviceId,
        sender: message.senderDeviceId,
        seq: rejection.seq,
        source: message.source,
        quarantineId: record.id,
        impersonation: rejection.impersonation,
      },
      rejection.impersonation ? 'message quarantined: acting as another device' : 'message quarantined',
    );
    return { status: 'quarantined', ...pick(rejection), quarantineId: record.id };
  }

  /** Stops accepting messages and waits until every message in flight has its durable decision. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??=
      this.inFlight === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            this.idle = resolve;
          });
    return this.closing;
  }

  private async decide(message: IngestMessage): Promise<IngestOutcome> {
    const sender = message.senderDeviceId;
    const { maxMessageBytes } = this.deps;
    if (message.bytes.length > maxMessageBytes) {
      return this.reject(message, {
        reason: 'E_MESSAGE_TOO_LARGE',
        message: `the message is ${message.bytes.length} bytes, more than this gateway's limit of ${maxMessageBytes}`,
        deviceId: sender,
        seq: null,
        impersonation: false,
        details: { length: message.bytes.length, limit: maxMessageBytes },
      });
    }

    // Attacker-controlled: the bytes as received. Structure first, so the kid is known before the payload.
    let cose: CoseSign1;
    try {
      cose = readCoseSign1Structure(message.bytes, maxMessageBytes, sender) ?? decodeCoseSign1(message.bytes, { maxBytes: maxMessageBytes });
    } catch (error) {
      return this.reject(message, protocolRejection(error, sender, null));
    }
    if (sender !== null && cose.kid !== sender) {
      return this.reject(message, {
        reason: 'E_KID_NOT_SENDER',
        message: `the kid ${cose.kid} is not the device that sent the message (${sender}): a device signs only as itself`,
        deviceId: cose.kid,
        seq: null,
        impersonation: true,
        details: { kid: cose.kid },
      });
    }

    const deviceId = cose.kid;

    const registryRefusal = this.registryRefusal(this.deps.registry.get(deviceId), message, deviceId, null);
    if (registryRefusal !== null) return this.reject(message, registryRefusal);

    const ticket = this.sequencer.enter(deviceId);
    try {
      const firstKey = this.deps.registry.get(deviceId)?.publicKey ?? null;
      const checking = performance.now();
      let result = firstKey === null ? null : await this.check(cose, firstKey);
      this.deps.metrics.stageSeconds.observe({ stage: 'check' }, (performance.now() - checking) / 1000);
      if (!ticket.isReady) await ticket.ready;
      // The registry may have changed meanwhile (suspended, key rotated): decide on its state now, when the
      // entry is appended, and check again under a rotated key.
      const now = this.deps.registry.get(deviceId);
      const changed = this.registryRefusal(now, message, deviceId, result?.seq ?? null);
      if (changed !== null) return this.reject(message, changed);
      // (registryRefusal refused a device without a key, so `nowKey` is set here.)
      const nowKey = now?.publicKey ?? null;
      if (nowKey !== null && (result === null || firstKey === null || !equalBytes(nowKey, firstKey))) {
        result = await this.check(cose, nowKey);
      }
      if (result === null) throw new IngestError('E_INGEST_VERIFY_UNAVAILABLE', 'the message could not be checked');
      if (!result.ok) {
        return this.reject(message, {
          reason: result.reason,
          message: result.message,
          deviceId,
          seq: result.seq,
          impersonation: result.impersonation,
          details: result.details,
        });
      }
      const seq = result.seq;
      const appending = this.deps.log.append(
        { receivedAtMs: message.receivedAtMs, transport: message.transport, deviceId, contentType: 'cose-sign1', original: message.bytes },
        { deviceId, seq },
      );
      // The append is issued: the device's next message may go (the log decides in issue order).
      ticket.release();
      const committing = performance.now();
      const outcome = await appending;
      this.deps.metrics.stageSeconds.observe({ stage: 'append' }, (performance.now() - committing) / 1000);
      switch (outcome.status) {
        case 'appended': {
          const skew = clockSkewFlag(result.t, message.receivedAtMs, this.deps.clockSkewToleranceMs);
          // Most readings carry no flag: no array is built for them.
          const flags: readonly EntryFlag[] =
            result.flags.length === 0 && skew === null ? NO_FLAGS : [...result.flags, ...(skew === null ? [] : [skew])];
          for (const flag of flags) this.deps.metrics.flagged.inc({ flag: flag.code });
          return { status: 'appended', deviceId, seq, index: outcome.index, flags };
        }
        case 'duplicate':
          this.deps.metrics.duplicates.inc();
          return { status: 'duplicate', deviceId, seq, index: outcome.index };
        case 'conflict':
          return this.reject(message, {
            reason: 'E_SEQ_CONFLICT',
            message: `seq ${seq} of device ${deviceId} is already logged (entry ${outcome.index}) with other content: a seq is never reused`,
            deviceId,
            seq,
            impersonation: false,
            details: { loggedIndex: outcome.index },
          });
      }
    } finally {
      ticket.release();
    }
  }

  /** On a worker thread: the payload against its schema, `dev` = kid, the signature (message-check.ts). */
  private check(cose: CoseSign1, publicKey: Uint8Array): Promise<MessageCheckResult> {
    return this.deps.checker.check({
      kind: 'device-message',
      kid: cose.kid,
      publicKey,
      protectedBytes: cose.protectedBytes,
      payloadBytes: cose.payloadBytes,
      signature: cose.signature,
    });
  }

  private registryRefusal(device: DeviceRecord | undefined, message: IngestMessage, deviceId: string, seq: number | null): IngestRejection | null {
    const base = { deviceId, seq, impersonation: false };
    if (device === undefined) {
      return { ...base, reason: 'E_DEVICE_UNKNOWN', message: `device ${deviceId} is not enrolled at this gateway` };
    }
    if (device.status === 'suspended') return { ...base, reason: 'E_DEVICE_SUSPENDED', message: `device ${deviceId} is suspended` };
    if (device.status === 'retired') return { ...base, reason: 'E_DEVICE_RETIRED', message: `device ${deviceId} is retired` };
    // Every message on this path is a COSE_Sign1 that needs the device's key (issue 6: a device may have none).
    if (device.publicKey === null) return { ...base, reason: 'E_DEVICE_NO_KEY', message: noKeyMessage(deviceId) };
    if (!device.transports.includes(message.transport)) {
      return {
        ...base,
        reason: 'E_DEVICE_TRANSPORT',
        message: `device ${deviceId} is not allowed to send over ${message.transport} (allowed: ${device.transports.join(', ')})`,
      };
    }
    return null;
  }
}

/** A decoder's error as a rejection; anything but our typed errors would be a bug, and is still quarantined. */
function protocolRejection(error: unknown, deviceId: string | null, seq: number | null): IngestRejection {
  if (isTrialgateError(error)) {
    return { reason: error.code, message: error.message, deviceId, seq, impersonation: false, details: { error: error.details } };
  }
  return { reason: 'E_INTERNAL_DECODE', message: 'the message could not be decoded', deviceId, seq, impersonation: false };
}

function pick(rejection: IngestRejection): Omit<IngestQuarantined, 'status' | 'quarantineId'> {
  return {
    reason: rejection.reason,
    message: rejection.message,
    deviceId: rejection.deviceId,
    seq: rejection.seq,
    impersonation: rejection.impersonation,
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
