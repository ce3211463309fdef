import { encodeCbor, isTrialgateError } from '@trialgate/firmware-protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../encoding/bytes.js';
import { decodeLogEntry } from './decode-log-entry.js';
import { encodeLogEntry } from './encode-log-entry.js';
import type { LogEntry } from './log-entry.js';
import { errorCodeOf } from '../testing/error-code-of.js';

const ENTRY: LogEntry = {
  receivedAtMs: 1_700_000_000_000,
  transport: 'mqtt',
  deviceId: 'dev-1',
  contentType: 'cose-sign1',
  original: Uint8Array.of(1, 2, 3),
};

describe('log entries (spec section 4)', () => {
  it('encodes exactly [1, receivedAtMs, transport, deviceId, contentType, original] with shortest heads', () => {
    // 86 array(6); 01; 1b uint64 ms; 64 "mqtt"; 65 "dev-1"; 6a "cose-sign1"; 43 bstr(3)
    expect(toHex(encodeLogEntry(ENTRY))).toBe(
      '86011b0000018bcfe56800646d717474656465762d316a636f73652d7369676e3143010203',
    );
    expect(toHex(encodeLogEntry({ ...ENTRY, receivedAtMs: 23, original: new Uint8Array(24) })).slice(0, 6)).toBe('860117');
    expect(toHex(encodeLogEntry({ ...ENTRY, receivedAtMs: 24 })).slice(0, 8)).toBe('86011818');
  });

  it('round-trips every valid entry', () => {
    const entry = fc.record({
      receivedAtMs: fc.maxSafeNat(),
      transport: fc.constantFrom('mqtt', 'ble', 'serial', 'admin' as const),
      deviceId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
      contentType: fc.constantFrom('cose-sign1', 'registry', 'gateway', 'gatt:2a37', 'gatt:2a5f' as const),
      original: fc.uint8Array({ maxLength: 300 }),
    });
    fc.assert(
      fc.property(entry, (e) => {
        const decoded = decodeLogEntry(encodeLogEntry(e as LogEntry));
        expect(decoded).toEqual(e);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses other shapes, versions, transports, content types and device ids', () => {
    const raw = (value: Parameters<typeof encodeCbor>[0]) => encodeCbor(value);
    const o = Uint8Array.of(1);
    for (const [bytes, code] of [
      [raw([1, 5, 'mqtt', 'd', 'cose-sign1']), 'E_ENTRY_DECODE'],
      [raw([2, 5, 'mqtt', 'd', 'cose-sign1', o]), 'E_ENTRY_DECODE'],
      [raw([1, -5, 'mqtt', 'd', 'cose-sign1', o]), 'E_ENTRY_DECODE'],
      [raw([1, 2n ** 60n, 'mqtt', 'd', 'cose-sign1', o]), 'E_ENTRY_DECODE'],
      [raw([1, 5, 'udp', 'd', 'cose-sign1', o]), 'E_ENTRY_DECODE'],
      [raw([1, 5, 'mqtt', 'd', 'json', o]), 'E_ENTRY_DECODE'],
      [raw([1, 5, 'mqtt', 'd', 'gatt:2A37', o]), 'E_ENTRY_DECODE'],
      [raw([1, 5, 'mqtt', 'bad id', 'cose-sign1', o]), 'E_ENTRY_DECODE'],
      [raw([1, 5, 'mqtt', '', 'cose-sign1', o]), 'E_ENTRY_DECODE'],
      [raw([1, 5, 'mqtt', 'd', 'cose-sign1', 'text']), 'E_ENTRY_DECODE'],
      [Uint8Array.of(...raw([1, 5, 'mqtt', 'd', 'cose-sign1', o]), 0), 'E_ENTRY_DECODE'],
      // 5 written with a one-byte argument (0x18 0x05) instead of inline: well-formed, not canonical.
      [Uint8Array.from(Buffer.from('8601180564' + '6d717474' + '6164' + '6a636f73652d7369676e31' + '4101', 'hex')), 'E_ENTRY_NOT_CANONICAL'],
      // Indefinite-length array.
      [Uint8Array.from(Buffer.from('9f0105646d717474616464ff', 'hex')), 'E_ENTRY_DECODE'],
    ] as const) {
      expect(errorCodeOf(() => decodeLogEntry(bytes)), toHex(bytes)).toBe(code);
    }
    expect(decodeLogEntry(raw([1, 5, 'admin', '', 'gateway', o])).deviceId).toBe('');
  });

  it('refuses to encode an invalid entry', () => {
    expect(errorCodeOf(() => encodeLogEntry({ ...ENTRY, receivedAtMs: 1.5 }))).toBe('E_ENTRY_INVALID');
    expect(errorCodeOf(() => encodeLogEntry({ ...ENTRY, deviceId: 'a b' }))).toBe('E_ENTRY_INVALID');
  });

  it('never throws anything but typed errors on arbitrary or mutated bytes', () => {
    const valid = encodeLogEntry(ENTRY);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 80 }),
          fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
            const copy = Uint8Array.from(valid);
            copy[at] = (copy[at] ?? 0) ^ xor;
            return copy;
          }),
          fc.nat(valid.length).map((cut) => valid.slice(0, cut)),
        ),
        (bytes) => {
          try {
            const entry = decodeLogEntry(bytes);
            // Whatever decodes re-encodes to the very same bytes.
            expect(toHex(encodeLogEntry(entry))).toBe(toHex(bytes));
          } catch (error) {
            expect(isTrialgateError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
