/**
 * Bounds the size of an MQTT packet before it is buffered. aedes 1.2 parses with mqtt-packet, which reads a
 * packet's remaining length (up to 256 MiB, MQTT 3.1.1 section 2.2.3) and then buffers the whole packet
 * before anything of ours runs; so an oversized PUBLISH would cost memory before `authorizePublish` could
 * refuse it. The guard looks at the remaining length as soon as it is parsed and ends the connection if it
 * is beyond the limit: 8 KiB before CONNACK (a CONNECT holds a client id, a username and a connect token),
 * and the message limit plus 1 MiB afterwards, so that moderately oversized messages still arrive whole and
 * are quarantined as E_MESSAGE_TOO_LARGE (kept as received), and only absurd ones are cut off.
 *
 * It wraps a method of the parser instance that aedes creates per client (`client._parser._parseLength`):
 * private API of aedes 1.2 / mqtt-packet 9, pinned by gateway/src/mqtt/mqtt-broker.int.test.ts.
 */
import type { Client } from 'aedes';

export const CONNECT_PACKET_MAX_BYTES = 8 * 1024;
export const PACKET_SLACK_BYTES = 1024 * 1024;

interface MqttPacketParser {
  packet: { length: number; cmd?: string };
  _parseLength(): boolean;
  _emitError(error: Error): void;
}

export class PacketTooLargeError extends Error {
  override readonly name = 'PacketTooLargeError';
}

/** Installs the guard on a client just created by `aedes.handle`; false if the parser is not as expected. */
export function guardPacketSize(client: Client, maxMessageBytes: number, onRefused: (length: number) => void): boolean {
  const parser = (client as unknown as { _parser?: Partial<MqttPacketParser> })._parser;
  const parseLength = parser?._parseLength;
  if (parser === undefined || typeof parseLength !== 'function' || typeof parser._emitError !== 'function') return false;
  const limitAfterConnect = maxMessageBytes + PACKET_SLACK_BYTES;
  const guarded = parser as MqttPacketParser;
  guarded._parseLength = function guardedParseLength(this: MqttPacketParser): boolean {
    const complete = parseLength.call(this);
    if (!complete) return false;
    const limit = client.connected ? limitAfterConnect : CONNECT_PACKET_MAX_BYTES;
    if (this.packet.length > limit) {
      onRefused(this.packet.length);
      this._emitError(new PacketTooLargeError(`MQTT packet of ${this.packet.length} bytes exceeds ${limit}`));
      return false;
    }
    return true;
  };
  return true;
}
