import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLogEntry } from '../entry/decode-log-entry.js';
import { encodeLogEntry } from '../entry/encode-log-entry.js';
import type { LogEntry } from '../entry/log-entry.js';
import { readLogEntryFast } from './read-log-entry-fast.js';

function strict(bytes: Uint8Array): LogEntry | undefined {
  try {
    return decodeLogEntry(bytes);
  } catch {
    return undefined;
  }
}

/** Whenever the fast reader answers, the strict decoder accepts the same bytes and gives the same entry. */
function agrees(bytes: Uint8Array): boolean {
  const fast = readLogEntryFast(bytes);
  if (fast === undefined) return true;
  const slow = strict(bytes);
  expect(slow, 'the strict decoder refuses what the fast reader read').toBeDefined();
  expect({ ...fast, original: Array.from(fast.original) }).toEqual({ ...slow, original: Array.from(slow?.original ?? []) });
  return true;
}

const entry: fc.Arbitrary<LogEntry> = fc.record({
  receivedAtMs: fc.oneof(fc.nat(30), fc.constantFrom(23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER), fc.maxSafeNat()),
  transport: fc.constantFrom('mqtt', 'ble', 'serial', 'admin'),
  contentType: fc.constantFrom('cose-sign1', 'registry', 'gateway', 'gatt:2a37', 'gatt:0000ff01', 'gatt:0123456789abcdef0123456789abcdef'),
  deviceId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
  original: fc.uint8Array({ maxLength: 300 }),
}).map((e) => e as LogEntry);

describe('readLogEntryFast never disagrees with decodeLogEntry', () => {
  it('reads every canonical entry with ASCII text, as decodeLogEntry does', () => {
    fc.assert(
      fc.property(entry, (e) => {
        const bytes = encodeLogEntry(e);
        expect(readLogEntryFast(bytes)).toBeDefined();
        return agrees(bytes);
      }),
      { numRuns: 2000 },
    );
    const gatewayOwn = encodeLogEntry({ receivedAtMs: 1, transport: 'admin', deviceId: '', contentType: 'gateway', original: Uint8Array.of(0xa0) });
    expect(readLogEntryFast(gatewayOwn)?.deviceId).toBe('');
  });

  it('on mutated entries: flipped, inserted and deleted bytes, truncation, trailing bytes', () => {
    fc.assert(
      fc.property(entry, fc.array(fc.tuple(fc.constantFrom('flip', 'insert', 'delete', 'truncate', 'append'), fc.nat(400), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (e, steps) => {
        let bytes = Array.from(encodeLogEntry(e));
        for (const [how, at, value] of steps) {
          const i = bytes.length === 0 ? 0 : at % bytes.length;
          if (how === 'flip') bytes[i] = (bytes[i] ?? 0) ^ (value || 1);
          else if (how === 'insert') bytes.splice(i, 0, value);
          else if (how === 'delete') bytes.splice(i, 1);
          else if (how === 'truncate') bytes = bytes.slice(0, i);
          else bytes.push(value);
        }
        return agrees(Uint8Array.from(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('on arbitrary bytes and on entries whose heads are not the shortest', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => agrees(bytes)), { numRuns: 3000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), (tail) => agrees(Uint8Array.of(0x86, 0x01, ...tail))), { numRuns: 3000 });
    // 5 written as 0x18 0x05 (one-byte head for a value below 24), text lengths in long form, non-ASCII text.
    const long = [0x86, 0x01, 0x18, 0x05, 0x64, ...Buffer.from('mqtt'), 0x61, 0x41, 0x6a, ...Buffer.from('cose-sign1'), 0x40];
    const longText = [0x86, 0x01, 0x05, 0x78, 0x04, ...Buffer.from('mqtt'), 0x61, 0x41, 0x6a, ...Buffer.from('cose-sign1'), 0x40];
    const latin = [0x86, 0x01, 0x05, 0x64, ...Buffer.from('mqtt'), 0x62, 0xc3, 0xa9, 0x6a, ...Buffer.from('cose-sign1'), 0x40];
    for (const bytes of [long, longText, latin]) {
      expect(readLogEntryFast(Uint8Array.from(bytes))).toBeUndefined();
      agrees(Uint8Array.from(bytes));
    }
    const ok = [0x86, 0x01, 0x05, 0x64, ...Buffer.from('mqtt'), 0x61, 0x41, 0x6a, ...Buffer.from('cose-sign1'), 0x40];
    expect(readLogEntryFast(Uint8Array.from(ok))).toMatchObject({ receivedAtMs: 5, transport: 'mqtt', deviceId: 'A', contentType: 'cose-sign1' });
  });
});
