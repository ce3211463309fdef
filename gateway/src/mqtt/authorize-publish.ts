/**
 * aedes `authorizePublish`: where every device message is decided.
 *
 * aedes 1.2 (lib/handlers/publish.js) runs `authorizePublish` and, as soon as it calls back without an
 * error, writes the QoS 1 PUBACK (QoS 2: stores the packet and writes PUBREC), and only then hands the packet
 * to `broker.publish` and any `published` handler. So the whole ingestion path runs here and the callback
 * comes only once the entry or its quarantine record is durable: a PUBACK is never sent for something a crash
 * could lose (spec section 3).
 *
 * An error passed to the callback ends the publish handler with that error: aedes emits it on the client,
 * which destroys the connection (lib/client.js `_onError`), with no PUBACK. We use that exactly where it is
 * wanted: an attempt to act as another device (spec section 7), a publish to a topic that is not the
 * device's uplink, and a log failure (nothing was decided durably, so the device must resend later).
 *
 * After the callback aedes would publish the packet to subscribers; the broker skips that for uplink
 * messages (skip-uplink-publish.ts), `authorizeForward` lets nothing but a device's own downlink reach a
 * client, and the retain flag is cleared here, so an uplink message is never re-published or stored as a
 * retained message.
 */
import type { Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { NoticeData } from '../downlink/notice.js';
import type { IngestMessage, IngestOutcome } from '../ingest/ingest-message.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import { deviceNamedByTopic, isUplinkTopicOf, uplinkTopic } from './device-topics.js';

export interface DeviceNotifier {
  /** Sends a signed notice on the device's downlink (QoS 1); best effort, never throws. */
  notify(deviceId: string, notice: NoticeData): void;
}

export interface AuthorizePublishDependencies {
  readonly pipeline: IngestPipeline;
  readonly notifier: DeviceNotifier;
  readonly clock: Clock;
  readonly logger: Logger;
}

type AuthorizePublishHandler = (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) => void;

/** Shared: replacing the payload must not cost an allocation per message. */
const EMPTY_PAYLOAD = Buffer.alloc(0);

export function createAuthorizePublish(deps: AuthorizePublishDependencies): AuthorizePublishHandler {
  return (client, packet, callback) => {
    // Wills of a previous broker run and programmatic publishes have no client: devices only publish live.
    if (client === null) {
      callback(new Error('publishing without a connected device is not allowed'));
      return;
    }
    const deviceId = client.id;
    // MQTT-3.3.1-5 would store a retained message; the gateway keeps messages in its log, nowhere else.
    packet.retain = false;
    const payload = packet.payload;
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    const message: IngestMessage = {
      transport: 'mqtt',
      bytes,
      receivedAtMs: deps.clock.now(),
      senderDeviceId: deviceId,
      source: packet.topic.length > 200 ? `${packet.topic.slice(0, 200)}…` : packet.topic,
    };

    if (!isUplinkTopicOf(packet.topic, deviceId)) {
      // Attacker-controlled: the topic text. Another device's topic is acting as that device.
      const named = deviceNamedByTopic(packet.topic);
      const impersonation = named !== null && named !== deviceId;
      deps.pipeline
        .reject(message, {
          reason: impersonation ? 'E_TOPIC_OTHER_DEVICE' : 'E_TOPIC_NOT_ALLOWED',
          message: impersonation
            ? `device ${deviceId} published on the topic of device ${named}`
            : `device ${deviceId} may publish only to ${uplinkTopic(deviceId)}`,
          deviceId: impersonation ? named : deviceId,
          seq: null,
          impersonation,
          details: { topic: message.source },
        })
        .then(
          () => callback(new Error('publish refused: not this device\'s uplink topic')),
          (error: unknown) => callback(asError(error)),
        );
      return;
    }

    deps.pipeline.ingest(message).then(
      (outcome) => {
        // Nothing but the device's own downlink is ever forwarded; drop the bytes early all the same.
        packet.payload = EMPTY_PAYLOAD;
        if (outcome.status === 'quarantined' && outcome.impersonation) {
          callback(new Error(`closing: ${outcome.reason}`));
          return;
        }
        callback(null);
        const notice = noticeFor(outcome);
        if (notice !== null) deps.notifier.notify(deviceId, notice);
      },
      (error: unknown) => {
        deps.logger.error({ event: 'ingest_failed', deviceId, err: error }, 'message not acknowledged: the log did not take it');
        callback(asError(error));
      },
    );
  };
}

/** What the device is told on its downlink about a message it will see acknowledged. */
export function noticeFor(outcome: IngestOutcome): NoticeData | null {
  switch (outcome.status) {
    case 'appended':
      return null;
    case 'duplicate':
      return {
        code: 'E_SEQ_DUPLICATE',
        message: `seq ${outcome.seq} is already logged (entry ${outcome.index}); acknowledged again, not logged twice`,
        disposition: 'duplicate',
        seq: outcome.seq,
      };
    case 'quarantined':
      return {
        code: outcome.reason,
        message: outcome.message,
        disposition: 'quarantined',
        ...(outcome.seq === null ? {} : { seq: outcome.seq }),
      };
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
