/**
 * aedes 1.2 refuses a PUBLISH whose topic is empty, holds a wildcard (`#`, `+`: MQTT-3.3.2-2) or has more
 * levels than the broker allows, in lib/handlers/publish.js, before any hook of ours runs: it closes the
 * connection and emits `clientError`, which the broker logs at debug level only. For a device that is a
 * message sent where it may not publish, so spec section 7 wants it kept with its reason, counted and logged,
 * not dropped silently (and `tg/v1/dev/+/up` is an attempt at every device's uplink).
 *
 * This guard sees each PUBLISH as the parser emits it, before aedes handles it, and reports those aedes will
 * refuse, once the client is authenticated: aedes handles a packet that arrived behind the CONNECT only after
 * the CONNACK, and a client that never authenticates reports nothing (its refusal is recorded by
 * authenticate.ts). aedes still closes the connection itself.
 *
 * It adds a listener in front of aedes' own on the parser aedes creates per client (`client._parser`):
 * private API of aedes 1.2 / mqtt-packet 9, like packet-size-guard.ts; pinned by
 * test/security/device-access.int.test.ts.
 */
import type { Client } from 'aedes';

interface ParsedPacket {
  readonly cmd?: unknown;
  readonly topic?: unknown;
  readonly payload?: unknown;
}

interface PacketEmitter {
  prependListener(event: 'packet', listener: (packet: ParsedPacket) => void): unknown;
}

export interface InvalidPublish {
  /** The topic as sent (attacker-controlled text). */
  readonly topic: string;
  readonly payload: Uint8Array;
}

/** True if aedes 1.2 refuses this PUBLISH topic (lib/handlers/publish.js `handlePublish`). */
export function isRefusedPublishTopic(topic: string, maxTopicLevels: number): boolean {
  if (topic.length === 0 || topic.includes('#') || topic.includes('+')) return true;
  let levels = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 47) levels += 1;
  return levels > maxTopicLevels;
}

/** Installs the guard on a client just created by `aedes.handle`; false if the parser is not as expected. */
export function guardInvalidPublishTopics(
  client: Client,
  maxTopicLevels: number,
  onInvalid: (client: Client, publish: InvalidPublish) => void,
): boolean {
  const parser = (client as unknown as { _parser?: Partial<PacketEmitter> })._parser;
  if (parser === undefined || typeof parser.prependListener !== 'function') return false;
  const state = client as unknown as { connackSent?: unknown; once(event: 'connected', listener: () => void): unknown };
  parser.prependListener('packet', (packet) => {
    // Attacker-controlled: the whole packet. Only a PUBLISH with a text topic aedes will refuse is reported.
    if (packet.cmd !== 'publish' || typeof packet.topic !== 'string') return;
    if (!isRefusedPublishTopic(packet.topic, maxTopicLevels)) return;
    const payload = packet.payload;
    const bytes =
      typeof payload === 'string'
        ? new TextEncoder().encode(payload)
        : payload instanceof Uint8Array
          ? new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)
          : new Uint8Array(0);
    const publish: InvalidPublish = { topic: packet.topic, payload: bytes };
    if (state.connackSent === true) onInvalid(client, publish);
    else state.once('connected', () => onInvalid(client, publish));
  });
  return true;
}
