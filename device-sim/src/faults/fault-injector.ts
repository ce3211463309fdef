import type { Logger } from 'pino';
import { encodeDevicePayload } from '../device/device-message.js';
import { uplinkTopic } from '../device/mqtt-topics.js';
import type { RawPublishOutcome, SimDevice } from '../device/sim-device.js';
import type { OutboxMessage } from '../device/outbox-message.js';
import type { Reading } from '../models/reading.js';
import { pick, type Random } from '../random/random.js';
import type { MessageOutcome, MessageRecord } from '../sim/message-record.js';
import { sha256Hex } from '../sim/message-record.js';
import type { Clock } from '../time/clock.js';
import { FAULT_EXPECTATIONS, type FaultKind } from './fault-kind.js';
import {
  conflictingMessage,
  corruptInTransit,
  oversizeMessage,
  signWithWrongKey,
  skewedTime,
  truncateMessage,
} from './fault-messages.js';


/** What the injector needs from the running simulation. */
export interface FaultContext {
  /** The fleet's running devices. */
  readonly devices: readonly SimDevice[];
  readonly random: Random;
  /** The simulated clock (a device's notion of now, for `t`). */
  readonly clock: Clock;
  readonly oversizeBytes: number;
  readonly logger: Logger;
  /** A started device that is not in the gateway's registry (its own key and id); stopped by the injector. */
  createStranger(): SimDevice;
  /** Registers a message that goes through a device's outbox (retried until acknowledged). */
  trackOutboxMessage(device: SimDevice, message: OutboxMessage, kind: FaultKind, t: number): void;
  /** Registers a message published once. */
  addRecord(record: MessageRecord): void;
}

/** Retries of a fault whose send was cut short by an unrelated disconnection. */
const RAW_ATTEMPTS = 3;

/**
 * Injects one fault of `kind` on a device chosen at random and records it. Faults that need an acknowledged
 * message (replayed and conflicting seq) pick a device that has one; if none has, the fault is recorded as
 * `skipped`.
 */
export async function injectFault(kind: FaultKind, context: FaultContext): Promise<MessageRecord> {
  const { random } = context;
  const online = context.devices.filter((d) => d.state === 'online');
  const candidates = online.length > 0 ? online : context.devices;
  const device = pick(random, candidates);
  const now = context.clock.now();
  const reading: Reading = { t: now, type: 'device_status', data: { note: `fault:${kind}` } };
  const expected = FAULT_EXPECTATIONS[kind];

  const raw = async (
    sender: SimDevice,
    topic: string,
    bytes: Uint8Array,
    seq: number | null,
    t: number | null,
    note?: string,
  ): Promise<MessageRecord> => {
    // Recorded before it is sent: the gateway's notice about it may arrive before its PUBACK.
    const record: MessageRecord = {
      kind,
      device: sender.id,
      seq,
      topic,
      sha256: sha256Hex(bytes),
      size: bytes.length,
      t,
      expected,
      outcome: 'pending',
      ...(note === undefined ? {} : { note }),
    };
    context.addRecord(record);
    let outcome: RawPublishOutcome = 'not_connected';
    for (let attempt = 0; attempt < RAW_ATTEMPTS; attempt++) {
      outcome = await sender.publishRaw(topic, bytes);
      // A wrong-topic attempt is expected to end the connection: do not repeat it.
      if (outcome === 'acked' || kind === 'wrong_topic') break;
    }
    record.outcome = outcome satisfies MessageOutcome;
    context.logger.info({ fault: kind, device: sender.id, seq, outcome }, 'fault injected');
    return record;
  };

  switch (kind) {
    case 'corrupted_bytes': {
      const seq = await device.reserveSeq();
      return raw(device, uplinkTopic(device.id), corruptInTransit(device.signer.message(seq, reading)), seq, now);
    }
    case 'bad_signature': {
      const seq = await device.reserveSeq();
      const payload = encodeDevicePayload(device.id, seq, reading);
      return raw(device, uplinkTopic(device.id), signWithWrongKey(payload, device.id, random.fork()), seq, now);
    }
    case 'oversize': {
      const seq = await device.reserveSeq();
      return raw(device, uplinkTopic(device.id), oversizeMessage(device.signer, seq, now, context.oversizeBytes), seq, now);
    }
    case 'malformed_cbor': {
      const seq = await device.reserveSeq();
      return raw(device, uplinkTopic(device.id), truncateMessage(device.signer.message(seq, reading)), seq, now);
    }
    case 'wrong_topic': {
      const others = context.devices.filter((d) => d !== device);
      const victim = others.length > 0 ? pick(random, others).id : `${device.id}-OTHER`;
      const seq = await device.reserveSeq();
      return raw(device, uplinkTopic(victim), device.signer.message(seq, reading), seq, now, `published on the uplink of ${victim}`);
    }
    case 'replayed_seq':
    case 'conflicting_seq': {
      const withAck = candidates.filter((d) => d.acknowledged.length > 0);
      if (withAck.length === 0) {
        const record: MessageRecord = {
          kind, device: device.id, seq: null, topic: uplinkTopic(device.id), sha256: '', size: 0, t: null, expected,
          outcome: 'skipped', note: 'no device had an acknowledged message yet',
        };
        context.addRecord(record);
        return record;
      }
      const owner = pick(random, withAck);
      const original = pick(random, owner.acknowledged);
      const bytes = kind === 'replayed_seq' ? original.bytes : conflictingMessage(original.bytes, owner.signer);
      return raw(owner, uplinkTopic(owner.id), bytes, original.seq, null, `seq ${original.seq} again`);
    }
    case 'clock_skew': {
      // A valid message with a wrong clock is logged (and flagged), so it goes through the outbox like any
      // other: retried until acknowledged.
      const t = skewedTime(now, random);
      const skewed: Reading = { t, type: 'device_status', data: { clock_sync: 'unset', note: 'fault:clock_skew' } };
      const message = await device.record(skewed);
      context.trackOutboxMessage(device, message, kind, t);
      context.logger.info({ fault: kind, device: device.id, seq: message.seq }, 'fault injected');
      return { kind, device: device.id, seq: message.seq, topic: uplinkTopic(device.id), sha256: sha256Hex(message.bytes), size: message.bytes.length, t, expected, outcome: 'pending' };
    }
    case 'unknown_device': {
      const stranger = context.createStranger();
      try {
        const bytes = stranger.signer.message(1, reading);
        const record: MessageRecord = {
          kind, device: stranger.id, seq: 1, topic: uplinkTopic(stranger.id), sha256: sha256Hex(bytes), size: bytes.length,
          t: now, expected, outcome: 'pending',
        };
        context.addRecord(record);
        const outcome = await stranger.publishRaw(uplinkTopic(stranger.id), bytes, 5_000);
        record.outcome = outcome !== 'acked' && stranger.counters.connects === 0 ? 'connect_refused' : outcome;
        context.logger.info({ fault: kind, device: stranger.id, outcome: record.outcome }, 'fault injected');
        return record;
      } finally {
        await stranger.stop();
      }
    }
  }
}
