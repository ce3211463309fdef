/**
 * Just enough MQTT 3.1.1 for the ingest benchmark's load generator: CONNECT and QoS 1 PUBLISH packets,
 * encoded once before the clock starts, and a reader that splits the broker's byte stream into packets.
 * A general client library (mqtt.js) spends about 25-40 µs of CPU per reading on this 2-core machine, CPU
 * that the broker under test then does not get; devices are separate hardware in the field, so the
 * generator should cost the box as little as possible. Same wire bytes for every broker measured.
 *
 * MQTT 3.1.1 (OASIS 2014): fixed header section 2.2, remaining length section 2.2.3, CONNECT 3.1, CONNACK
 * 3.2, PUBLISH 3.3, PUBACK 3.4.
 */

export const PACKET_CONNACK = 2;
export const PACKET_PUBLISH = 3;
export const PACKET_PUBACK = 4;

/** Section 2.2.3: 1-4 bytes, 7 bits each, least significant first. */
function remainingLength(length: number): Buffer {
  const out: number[] = [];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return Buffer.from(out);
}

function lengthPrefixed(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  out.set(bytes, 2);
  return out;
}

/** Section 3.1: protocol level 4, clean session, username and password, keep-alive in seconds. */
export function connectPacket(clientId: string, username: string, password: Uint8Array, keepAliveSeconds = 120): Buffer {
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x80 | 0x40 | 0x02, keepAliveSeconds >> 8, keepAliveSeconds & 0xff]);
  const payload = Buffer.concat([lengthPrefixed(Buffer.from(clientId)), lengthPrefixed(Buffer.from(username)), lengthPrefixed(password)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(variable.length + payload.length), variable, payload]);
}

/** Section 3.3: QoS 1 (flags 0b0010), topic, packet identifier (1-65535), payload. */
export function publishQos1Packet(topic: string, packetId: number, payload: Uint8Array): Buffer {
  const topicBytes = lengthPrefixed(Buffer.from(topic));
  const length = topicBytes.length + 2 + payload.length;
  return Buffer.concat([Buffer.from([0x32]), remainingLength(length), topicBytes, Buffer.from([packetId >> 8, packetId & 0xff]), payload]);
}

/** Section 3.4: the PUBACK a client owes for a QoS 1 PUBLISH it received. */
export function pubackPacket(packetId: number): Buffer {
  return Buffer.from([0x40, 0x02, packetId >> 8, packetId & 0xff]);
}

/**
 * Splits a broker's byte stream into packets: calls `onPacket(type, flags, body)` for each complete one, with
 * `body` the bytes after the fixed header (a view: copy to keep). Keeps an incomplete tail for the next chunk.
 */
export class PacketReader {
  private pending: Buffer | null = null;

  constructor(private readonly onPacket: (type: number, flags: number, body: Buffer) => void) {}

  push(chunk: Buffer): void {
    const data = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let at = 0;
    while (data.length - at >= 2) {
      let length = 0;
      let multiplier = 1;
      let cursor = at + 1;
      let complete = false;
      for (let i = 0; i < 4 && cursor < data.length; i += 1) {
        const byte = data[cursor] ?? 0;
        cursor += 1;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || data.length - cursor < length) break;
      const first = data[at] ?? 0;
      this.onPacket(first >> 4, first & 0x0f, data.subarray(cursor, cursor + length));
      at = cursor + length;
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }
}
