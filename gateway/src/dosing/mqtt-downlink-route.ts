/**
 * The MQTT downlink route: a device is reachable while it is connected and subscribed to its own downlink
 * topic `tg/v1/dev/{id}/down` (spec section 3); the message goes out as a QoS 1 PUBLISH. With a clean session
 * a message published while the device is away would be lost, so nothing is sent then: the dosing service
 * keeps it and sends it when the device subscribes again (that is when `onReachable` fires).
 */
import type { MqttBroker } from '../mqtt/mqtt-broker.js';
import { downlinkTopic } from '../mqtt/device-topics.js';
import type { DownlinkRoute } from './downlink-router.js';

export interface MqttDownlinkRoute extends DownlinkRoute {
  close(): void;
}

export function createMqttDownlinkRoute(broker: Pick<MqttBroker, 'aedes' | 'sendDownlink'>, onReachable: (deviceId: string) => void): MqttDownlinkRoute {
  const subscribed = new Set<string>();
  const onSubscribe = (subscriptions: readonly { readonly topic: string }[], client: { readonly id: string } | null): void => {
    if (client === null) return;
    if (subscriptions.some((s) => s.topic === downlinkTopic(client.id))) {
      subscribed.add(client.id);
      onReachable(client.id);
    }
  };
  const onUnsubscribe = (topics: readonly string[], client: { readonly id: string } | null): void => {
    if (client !== null && topics.includes(downlinkTopic(client.id))) subscribed.delete(client.id);
  };
  const onDisconnect = (client: { readonly id: string }): void => {
    subscribed.delete(client.id);
  };
  broker.aedes.on('subscribe', onSubscribe);
  broker.aedes.on('unsubscribe', onUnsubscribe);
  broker.aedes.on('clientDisconnect', onDisconnect);
  return {
    transport: 'mqtt',
    canReach: (deviceId) => subscribed.has(deviceId),
    send: (deviceId, bytes) => broker.sendDownlink(deviceId, bytes),
    close: () => {
      broker.aedes.removeListener('subscribe', onSubscribe);
      broker.aedes.removeListener('unsubscribe', onUnsubscribe);
      broker.aedes.removeListener('clientDisconnect', onDisconnect);
    },
  };
}
