import { ProtocolError } from '../errors/protocol-error.js';

/**
 * Consistent Overhead Byte Stuffing (Cheshire and Baker, IEEE/ACM ToN 7(2), 1999): removes every 0x00 from a
 * byte string, so that 0x00 can delimit frames on a serial line (spec section 3).
 *
 * Encoding writes the minimal form (as the widely copied C reference does): a block of 254 non-zero bytes is
 * `ff` + the bytes, and a trailing full block gets no extra `01`. Decoding accepts both forms.
 */
export function cobsEncode(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(input.length));
  let codeAt = 0;
  let write = 1;
  let code = 1;
  for (let i = 0; i < input.length; i += 1) {
    const byte = input[i] as number;
    if (byte !== 0) {
      out[write] = byte;
      write += 1;
      code += 1;
    }
    if (byte === 0 || code === 0xff) {
      out[codeAt] = code;
      code = 1;
      codeAt = write;
      if (byte === 0 || i < input.length - 1) write += 1;
    }
  }
  // When a full block ended exactly at the end of the input, codeAt === write: no further code byte (minimal form).
  if (codeAt < write) out[codeAt] = code;
  return out.slice(0, write);
}

/** The longest encoding of `length` bytes: one code byte per started 254-byte block, at least one. */
export function cobsMaxEncodedLength(length: number): number {
  return length + Math.max(1, Math.ceil(length / 254));
}

/**
 * Decodes one COBS block sequence (without its 0x00 delimiter).
 *
 * Attacker-controlled: bytes from a serial line. E_COBS for an empty input, a 0x00 inside the frame, or a code
 * byte that promises more bytes than remain (details.offset says where).
 */
export function cobsDecode(input: Uint8Array): Uint8Array {
  if (input.length === 0) throw new ProtocolError('E_COBS', 'empty COBS frame', { details: { offset: 0 } });
  const out = new Uint8Array(input.length);
  let write = 0;
  let read = 0;
  while (read < input.length) {
    const code = input[read] as number;
    if (code === 0) {
      throw new ProtocolError('E_COBS', `COBS code byte 0x00 at offset ${read}: a frame holds no zero bytes`, {
        details: { offset: read },
      });
    }
    const end = read + code;
    if (end > input.length) {
      throw new ProtocolError(
        'E_COBS',
        `COBS code byte 0x${code.toString(16).padStart(2, '0')} at offset ${read} promises ${code - 1} data byte(s), only ${input.length - read - 1} remain`,
        { details: { offset: read, code } },
      );
    }
    for (read += 1; read < end; read += 1) {
      const byte = input[read] as number;
      if (byte === 0) {
        throw new ProtocolError('E_COBS', `zero byte at offset ${read} inside a COBS frame`, { details: { offset: read } });
      }
      out[write] = byte;
      write += 1;
    }
    if (code !== 0xff && read < input.length) {
      out[write] = 0;
      write += 1;
    }
  }
  return out.slice(0, write);
}
