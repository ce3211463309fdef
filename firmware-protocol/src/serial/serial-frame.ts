import { ProtocolError } from '../errors/protocol-error.js';
import { cobsDecode, cobsEncode, cobsMaxEncodedLength } from './cobs.js';
import { crc32 } from './crc32.js';

/** Spec section 3: frames are delimited by one 0x00 byte. */
export const SERIAL_FRAME_DELIMITER = 0x00;
export const SERIAL_CRC_LENGTH = 4;
/** Default limit of a decoded frame's payload: one device message (4 KiB). */
export const SERIAL_DEFAULT_MAX_PAYLOAD_BYTES = 4096;

/** The longest COBS-encoded frame (without delimiter) that carries at most `maxPayloadBytes`. */
export function serialMaxEncodedFrameLength(maxPayloadBytes: number = SERIAL_DEFAULT_MAX_PAYLOAD_BYTES): number {
  return cobsMaxEncodedLength(maxPayloadBytes + SERIAL_CRC_LENGTH);
}

/**
 * Spec section 3: `COBS(payload || crc32le(payload))` followed by the 0x00 delimiter. The payload is a COSE_Sign1
 * device message; the CRC is IEEE 802.3 CRC-32, little-endian.
 */
export function encodeSerialFrame(payload: Uint8Array): Uint8Array {
  const body = new Uint8Array(payload.length + SERIAL_CRC_LENGTH);
  body.set(payload);
  new DataView(body.buffer).setUint32(payload.length, crc32(payload), true);
  const encoded = cobsEncode(body);
  const frame = new Uint8Array(encoded.length + 1);
  frame.set(encoded);
  frame[encoded.length] = SERIAL_FRAME_DELIMITER;
  return frame;
}

export interface DecodeSerialFrameOptions {
  /** E_FRAME_TOO_LARGE for a payload above this (default 4096 bytes). */
  readonly maxPayloadBytes?: number;
}

/**
 * Decodes one frame given without its 0x00 delimiter: COBS (E_COBS), at least the 4 CRC bytes
 * (E_FRAME_TOO_SHORT), the CRC-32 (E_FRAME_CRC, details say both values), the payload limit (E_FRAME_TOO_LARGE).
 *
 * Attacker-controlled: bytes from a USB or UART line, possibly noise.
 */
export function decodeSerialFrame(frameWithoutDelimiter: Uint8Array, options: DecodeSerialFrameOptions = {}): Uint8Array {
  const maxPayloadBytes = options.maxPayloadBytes ?? SERIAL_DEFAULT_MAX_PAYLOAD_BYTES;
  const maxEncoded = serialMaxEncodedFrameLength(maxPayloadBytes);
  if (frameWithoutDelimiter.length > maxEncoded) {
    throw new ProtocolError('E_FRAME_TOO_LARGE', `frame of ${frameWithoutDelimiter.length} bytes exceeds the limit of ${maxEncoded} encoded bytes`, {
      details: { length: frameWithoutDelimiter.length, maxEncoded },
    });
  }
  const body = cobsDecode(frameWithoutDelimiter);
  if (body.length < SERIAL_CRC_LENGTH) {
    throw new ProtocolError('E_FRAME_TOO_SHORT', `decoded frame is ${body.length} byte(s), shorter than its 4-byte CRC-32`, {
      details: { length: body.length },
    });
  }
  const payloadLength = body.length - SERIAL_CRC_LENGTH;
  if (payloadLength > maxPayloadBytes) {
    throw new ProtocolError('E_FRAME_TOO_LARGE', `frame payload of ${payloadLength} bytes exceeds the limit of ${maxPayloadBytes}`, {
      details: { length: payloadLength, maxPayloadBytes },
    });
  }
  const payload = body.slice(0, payloadLength);
  const found = new DataView(body.buffer, body.byteOffset).getUint32(payloadLength, true);
  const expected = crc32(payload);
  if (found !== expected) {
    throw new ProtocolError(
      'E_FRAME_CRC',
      `CRC-32 mismatch: the frame carries ${hex32(found)} (bytes ${payloadLength}-${payloadLength + 3} of the decoded frame, little-endian), the payload's CRC-32 is ${hex32(expected)}`,
      { details: { expected: hex32(expected), found: hex32(found), payloadLength } },
    );
  }
  return payload;
}

function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
