/**
 * aedes 1.2 hands every QoS 1 PUBLISH, once `authorizePublish` has called back and the PUBACK is written, to
 * `broker.publish` (lib/handlers/publish.js `enqueuePublish`): a copy of the packet, the retained-message
 * check, a subscription lookup in the persistence's topic trie, the emitter's topic match and the `publish`
 * event. For a device's uplink message that work has no effect in the gateway: the message was already
 * decided (logged or quarantined) in `authorizePublish`, its retain flag was cleared there, and
 * `authorizeForward` lets nothing but a client's own downlink reach any client. Measured in
 * bench/suites/ingest.ts it was a tenth of the main thread's allocation per reading, so uplink publishes from
 * their own device end right after their PUBACK. Everything else (the gateway's downlink publishes, which
 * have no client; any other topic, refused in `authorizePublish` anyway) goes through aedes unchanged.
 *
 * It replaces the `publish` method of this one broker instance, through which aedes' handler calls it
 * (`client.broker.publish`); pinned by gateway/src/mqtt/mqtt-broker.int.test.ts.
 */
import type { Aedes, AedesPublishPacket, Client, PublishPacket } from 'aedes';
import { isUplinkTopicOf } from './device-topics.js';

type PublishMethod = (packet: AedesPublishPacket | PublishPacket, client: Client | null, callback?: (error?: Error) => void) => void;

export function skipUplinkPublish(aedes: Aedes): void {
  const broker = aedes as unknown as { publish: PublishMethod };
  const publish = broker.publish.bind(aedes) as PublishMethod;
  broker.publish = (packet, client, callback) => {
    if (client !== null && typeof client === 'object' && typeof client.id === 'string' && isUplinkTopicOf(packet.topic, client.id)) {
      callback?.();
      return;
    }
    publish(packet, client, callback);
  };
}
