import { Transform, type TransformCallback } from 'node:stream';
import { ProtocolError, isProtocolError } from '../errors/protocol-error.js';
import {
  SERIAL_DEFAULT_MAX_PAYLOAD_BYTES,
  SERIAL_FRAME_DELIMITER,
  decodeSerialFrame,
  serialMaxEncodedFrameLength,
} from './serial-frame.js';

/** One result per frame: its payload, or why it was refused (with the raw frame when it was kept whole). */
export type SerialFrameResult =
  | { readonly ok: true; readonly payload: Uint8Array }
  | { readonly ok: false; readonly error: ProtocolError; readonly raw?: Uint8Array };

export interface SerialFrameParserOptions {
  /** Largest payload of a frame (default 4096 bytes); longer runs without a delimiter are dropped. */
  readonly maxPayloadBytes?: number;
}

/**
 * A streaming frame parser for a serial line (spec section 3), usable as `port.pipe(new SerialFrameParser())`:
 * bytes in, one `SerialFrameResult` object out per frame.
 *
 * Attacker-controlled: whatever arrives on the line, including noise, partial frames and never-ending garbage.
 * - Resynchronisation: every 0x00 ends a frame; a broken frame costs only itself, and every following good
 *   frame is kept.
 * - Empty frames (two delimiters in a row, or a leading 0x00 that a device sends to flush the line) are
 *   skipped silently.
 * - Memory is bounded: the parser holds at most one maximal encoded frame. Longer runs without a delimiter
 *   are reported once (E_FRAME_TOO_LARGE) and dropped up to the next 0x00.
 * - Bytes left over when the stream ends are reported as E_FRAME_INCOMPLETE.
 */
export class SerialFrameParser extends Transform {
  private readonly maxPayloadBytes: number;
  private readonly buffer: Uint8Array;
  private length = 0;
  private discarding = false;

  constructor(options: SerialFrameParserOptions = {}) {
    super({ readableObjectMode: true, writableObjectMode: false });
    this.maxPayloadBytes = options.maxPayloadBytes ?? SERIAL_DEFAULT_MAX_PAYLOAD_BYTES;
    this.buffer = new Uint8Array(serialMaxEncodedFrameLength(this.maxPayloadBytes));
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    const bytes = chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk));
    let start = 0;
    while (start < bytes.length) {
      const end = bytes.indexOf(SERIAL_FRAME_DELIMITER, start);
      const stop = end === -1 ? bytes.length : end;
      this.append(bytes, start, stop);
      if (end === -1) break;
      this.endFrame();
      start = end + 1;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.discarding) {
      this.discarding = false;
    } else if (this.length > 0) {
      const raw = this.buffer.slice(0, this.length);
      this.length = 0;
      this.push({
        ok: false,
        error: new ProtocolError('E_FRAME_INCOMPLETE', `the stream ended inside a frame (${raw.length} bytes without a 0x00 delimiter)`, {
          details: { length: raw.length },
        }),
        raw,
      } satisfies SerialFrameResult);
    }
    callback();
  }

  private append(bytes: Uint8Array, start: number, stop: number): void {
    const count = stop - start;
    if (this.discarding) return;
    if (this.length + count > this.buffer.length) {
      this.discarding = true;
      this.length = 0;
      this.push({
        ok: false,
        error: new ProtocolError(
          'E_FRAME_TOO_LARGE',
          `more than ${this.buffer.length} bytes without a 0x00 delimiter: dropping bytes up to the next delimiter`,
          { details: { maxEncoded: this.buffer.length } },
        ),
      } satisfies SerialFrameResult);
      return;
    }
    this.buffer.set(bytes.subarray(start, stop), this.length);
    this.length += count;
  }

  private endFrame(): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.length === 0) return;
    const raw = this.buffer.slice(0, this.length);
    this.length = 0;
    try {
      this.push({ ok: true, payload: decodeSerialFrame(raw, { maxPayloadBytes: this.maxPayloadBytes }) } satisfies SerialFrameResult);
    } catch (error) {
      if (!isProtocolError(error)) throw error;
      this.push({ ok: false, error, raw } satisfies SerialFrameResult);
    }
  }
}
