import { Readable } from 'node:stream';
import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError } from '../errors/protocol-error.js';
import { cobsDecode, cobsEncode } from './cobs.js';
import { crc32 } from './crc32.js';
import { decodeSerialFrame, encodeSerialFrame } from './serial-frame.js';
import { SerialFrameParser, type SerialFrameResult } from './serial-frame-parser.js';
import { protocolErrorCodeOf } from '../testing/protocol-error-code-of.js';
import { hex, toHex } from '../testing/hex.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function parse(chunks: readonly Uint8Array[], maxPayloadBytes?: number): Promise<SerialFrameResult[]> {
  const parser = new SerialFrameParser(maxPayloadBytes === undefined ? {} : { maxPayloadBytes });
  const results: SerialFrameResult[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks.map((c) => Buffer.from(c)))
      .pipe(parser)
      .on('data', (result: SerialFrameResult) => results.push(result))
      .on('end', resolve)
      .on('error', reject);
  });
  return results;
}

const summary = (results: readonly SerialFrameResult[]): string[] =>
  results.map((r) => (r.ok ? `ok ${toHex(r.payload)}` : r.error.code));

describe('CRC-32 (IEEE 802.3)', () => {
  it('has the published check value 0xCBF43926 for "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('agrees with zlib, and continues across chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        expect(crc32(bytes)).toBe(zlibCrc32(bytes));
        const at = bytes.length === 0 ? 0 : cut % bytes.length;
        expect(crc32(bytes.subarray(at), crc32(bytes.subarray(0, at)))).toBe(crc32(bytes));
      }),
    );
  });
});

describe('COBS', () => {
  // The examples of the COBS article on Wikipedia (from Cheshire and Baker).
  const examples: readonly [number[], number[]][] = [
    [[], [0x01]],
    [[0x00], [0x01, 0x01]],
    [[0x00, 0x00], [0x01, 0x01, 0x01]],
    [[0x00, 0x11, 0x00], [0x01, 0x02, 0x11, 0x01]],
    [[0x11, 0x22, 0x00, 0x33], [0x03, 0x11, 0x22, 0x02, 0x33]],
    [[0x11, 0x22, 0x33, 0x44], [0x05, 0x11, 0x22, 0x33, 0x44]],
    [[0x11, 0x00, 0x00, 0x00], [0x02, 0x11, 0x01, 0x01, 0x01]],
    [range(0x01, 0xfe), [0xff, ...range(0x01, 0xfe)]],
    [range(0x00, 0xfe), [0x01, 0xff, ...range(0x01, 0xfe)]],
    [range(0x01, 0xff), [0xff, ...range(0x01, 0xfe), 0x02, 0xff]],
    [[...range(0x02, 0xff), 0x00], [0xff, ...range(0x02, 0xff), 0x01, 0x01]],
    [[...range(0x03, 0xff), 0x00, 0x01], [0xfe, ...range(0x03, 0xff), 0x02, 0x01]],
  ];
  examples.forEach(([plain, encoded], index) => {
    it(`encodes and decodes example ${index + 1}`, () => {
      expect(Array.from(cobsEncode(Uint8Array.from(plain)))).toStrictEqual(encoded);
      if (plain.length > 0) expect(Array.from(cobsDecode(Uint8Array.from(encoded)))).toStrictEqual(plain);
    });
  });

  it('decodes the non-minimal form of a trailing full block (an extra 01) to the same bytes', () => {
    expect(Array.from(cobsDecode(Uint8Array.from([0xff, ...range(1, 254), 0x01])))).toStrictEqual(range(1, 254));
  });

  it('round-trips any bytes, and its output holds no zero', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (bytes) => {
        const encoded = cobsEncode(bytes);
        expect(encoded.includes(0)).toBe(false);
        expect(cobsDecode(encoded)).toStrictEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects empty input, zero bytes and overrunning code bytes with E_COBS', () => {
    expect(protocolErrorCodeOf(() => cobsDecode(new Uint8Array()))).toBe('E_COBS');
    expect(protocolErrorCodeOf(() => cobsDecode(hex('0300')))).toBe('E_COBS');
    expect(protocolErrorCodeOf(() => cobsDecode(hex('00')))).toBe('E_COBS');
    expect(protocolErrorCodeOf(() => cobsDecode(hex('0511')))).toBe('E_COBS');
  });

  it('never throws anything but E_COBS on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(['none', 'E_COBS']).toContain(protocolErrorCodeOf(() => cobsDecode(bytes)));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('serial frames (spec section 3)', () => {
  it('is COBS(payload || crc32le(payload)) followed by 0x00', () => {
    // crc32("123456789") = 0xcbf43926, little-endian 26 39 f4 cb.
    expect(toHex(encodeSerialFrame(new TextEncoder().encode('123456789')))).toBe('0e3132333435363738392639f4cb00');
    expect(toHex(encodeSerialFrame(new Uint8Array()))).toBe('010101010100');
  });

  it('round-trips any payload up to the limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (payload) => {
        const frame = encodeSerialFrame(payload);
        expect(frame.indexOf(0)).toBe(frame.length - 1);
        expect(decodeSerialFrame(frame.subarray(0, -1))).toStrictEqual(payload);
      }),
      { numRuns: 300 },
    );
  });

  it('reports a bad CRC with both values, a short frame, a COBS error and an oversize payload', () => {
    const frame = encodeSerialFrame(hex('d28443a10127'));
    const corrupted = frame.slice(0, -1);
    corrupted[3]! ^= 0x40;
    try {
      decodeSerialFrame(corrupted);
      expect.unreachable();
    } catch (error) {
      expect(isProtocolError(error) && error.code).toBe('E_FRAME_CRC');
      expect(isProtocolError(error) && Object.keys(error.details)).toEqual(expect.arrayContaining(['expected', 'found']));
    }
    expect(protocolErrorCodeOf(() => decodeSerialFrame(hex('04010203')))).toBe('E_FRAME_TOO_SHORT');
    expect(protocolErrorCodeOf(() => decodeSerialFrame(hex('0401')))).toBe('E_COBS');
    const big = encodeSerialFrame(new Uint8Array(100).fill(7)).subarray(0, -1);
    expect(protocolErrorCodeOf(() => decodeSerialFrame(big, { maxPayloadBytes: 99 }))).toBe('E_FRAME_TOO_LARGE');
    expect(decodeSerialFrame(big, { maxPayloadBytes: 100 })).toHaveLength(100);
  });

  it('never throws anything but a ProtocolError on arbitrary or mutated frames', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (payload, position, xor) => {
        const frame = encodeSerialFrame(payload).slice(0, -1);
        const mutated = new Uint8Array(frame);
        mutated[position % mutated.length]! ^= xor;
        for (const input of [payload, mutated]) {
          const code = protocolErrorCodeOf(() => decodeSerialFrame(input));
          expect(code === 'none' || code.startsWith('E_')).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SerialFrameParser', () => {
  const a = hex('a1');
  const b = hex('b2b2');
  const c = hex('c3c3c3');

  it('emits one result per frame, skipping empty frames', async () => {
    const stream = Buffer.concat([hex('00'), encodeSerialFrame(a), hex('0000'), encodeSerialFrame(b)]);
    expect(summary(await parse([stream]))).toStrictEqual(['ok a1', 'ok b2b2']);
  });

  it('resynchronises after garbage and after a bad CRC, keeping every following good frame', async () => {
    const bad = encodeSerialFrame(b);
    bad[1]! ^= 0xff;
    const stream = Buffer.concat([hex('1234'), encodeSerialFrame(a), bad, hex('ff00'), encodeSerialFrame(c), encodeSerialFrame(a)]);
    // "1234" glues onto the first frame (no delimiter before it) and breaks it, as on a real line.
    expect(summary(await parse([stream]))).toStrictEqual(['E_COBS', 'E_FRAME_CRC', 'E_COBS', 'ok c3c3c3', 'ok a1']);
  });

  it('keeps the raw bytes of a refused frame for quarantine', async () => {
    const bad = encodeSerialFrame(b);
    bad[1]! ^= 0x01;
    const [result] = await parse([bad]);
    expect(result?.ok === false && result.raw).toStrictEqual(bad.subarray(0, -1));
  });

  it('bounds memory: a run longer than a maximal frame is reported once and dropped up to the next delimiter', async () => {
    const garbage = new Uint8Array(50_000).fill(0x55);
    const results = await parse([garbage, garbage, encodeSerialFrame(a), encodeSerialFrame(b)], 64);
    expect(summary(results)).toStrictEqual(['E_FRAME_TOO_LARGE', 'ok b2b2']);
  });

  it('reports bytes left at the end of the stream as E_FRAME_INCOMPLETE', async () => {
    expect(summary(await parse([encodeSerialFrame(a), encodeSerialFrame(b).subarray(0, -1)]))).toStrictEqual([
      'ok a1',
      'E_FRAME_INCOMPLETE',
    ]);
  });

  it('gives the same results however the stream is split into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 60 }).map((p) => ({ frame: true, bytes: p })), fc.uint8Array({ maxLength: 20 }).map((g) => ({ frame: false, bytes: g }))), {
          maxLength: 8,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (parts, cuts) => {
          const stream = Buffer.concat(parts.map((part) => (part.frame ? encodeSerialFrame(part.bytes) : part.bytes)));
          const whole = await parse([stream]);
          const points = [...new Set(cuts.map((cut) => (stream.length === 0 ? 0 : cut % stream.length)))].sort((x, y) => x - y);
          const chunks: Uint8Array[] = [];
          let last = 0;
          for (const point of [...points, stream.length]) {
            chunks.push(stream.subarray(last, point));
            last = point;
          }
          expect(summary(await parse(chunks))).toStrictEqual(summary(whole));
          // Every frame that follows a delimiter and is not glued to garbage comes out intact.
          const okPayloads = whole.filter((r) => r.ok).map((r) => (r.ok ? toHex(r.payload) : ''));
          for (const [index, part] of parts.entries()) {
            const previous = parts[index - 1];
            const cleanStart = index === 0 || previous?.frame === true || previous?.bytes.at(-1) === 0;
            if (part.frame && cleanStart) expect(okPayloads).toContain(toHex(part.bytes));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
