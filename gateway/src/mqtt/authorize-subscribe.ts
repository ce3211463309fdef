/**
 * aedes `authorizeSubscribe` and `authorizeForward`: a device subscribes only to its own downlink
 * (spec section 3), and a client is only ever sent its own downlink's messages.
 *
 * A refused subscription gets the SUBACK failure code 0x80 (MQTT 3.1.1 section 3.9.3), is counted and logged;
 * a subscription to a topic naming another device (reading its downlink is acting as it, spec section 7) also
 * closes the connection.
 */
import type { AedesPublishPacket, Client, Subscription } from 'aedes';
import type { Logger } from 'pino';
import { deviceNamedByTopic, downlinkTopic } from './device-topics.js';
import type { MqttMetrics } from './mqtt-metrics.js';

type AuthorizeSubscribeHandler = (client: Client, subscription: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void) => void;

export function createAuthorizeSubscribe(deps: { readonly logger: Logger; readonly metrics: MqttMetrics }): AuthorizeSubscribeHandler {
  return (client, subscription, callback) => {
    const own = downlinkTopic(client.id);
    if (subscription.topic === own) {
      // Downlink messages are sent with QoS 1; a device asking for 2 gets 1.
      callback(null, { ...subscription, qos: subscription.qos > 1 ? 1 : subscription.qos });
      return;
    }
    const named = deviceNamedByTopic(subscription.topic);
    const impersonation = named !== null && named !== client.id;
    deps.metrics.subscriptionsRefused.inc();
    deps.logger.warn(
      {
        event: 'subscribe_refused',
        reason: 'E_SUBSCRIBE_NOT_ALLOWED',
        deviceId: client.id,
        topic: subscription.topic.slice(0, 200),
        impersonation,
      },
      impersonation ? 'subscription refused: another device\'s topic' : 'subscription refused',
    );
    if (impersonation) {
      callback(new Error('subscription to another device\'s topic'));
      return;
    }
    callback(null, null);
  };
}

/** Only a client's own downlink topic is ever delivered to it (defence in depth behind authorizeSubscribe). */
export function authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
  return packet.topic === downlinkTopic(client.id) ? packet : null;
}
