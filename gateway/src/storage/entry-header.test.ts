import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import { decodeLogEntry, encodeLogEntry, type LogEntry } from '@trialgate/proof-formats';
import { readEntryHeader } from './entry-header.js';

const entries = fc.record({
  receivedAtMs: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.maxSafeNat()),
  transport: fc.constantFrom('mqtt', 'ble', 'serial', 'admin'),
  deviceId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
  contentType: fc.constantFrom('cose-sign1', 'registry', 'gateway', 'gatt:2a37', 'gatt:2a35'),
  original: fc.uint8Array({ minLength: 0, maxLength: 300 }),
});

function encodable(entry: LogEntry): Uint8Array | null {
  try {
    return encodeLogEntry(entry);
  } catch {
    return null;
  }
}

describe('readEntryHeader', () => {
  it('reads exactly what decodeLogEntry reads from any encoded entry', () => {
    fc.assert(
      fc.property(entries, (candidate) => {
        const bytes = encodable(candidate as LogEntry);
        if (bytes === null) return;
        const strict = decodeLogEntry(bytes);
        expect(readEntryHeader(bytes)).toEqual({
          receivedAtMs: strict.receivedAtMs,
          transport: strict.transport,
          deviceId: strict.deviceId,
          contentType: strict.contentType,
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('never disagrees with the strict decoder on mutated or arbitrary bytes, and throws only typed errors', () => {
    const mutated = fc
      .tuple(entries, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat())
      .map(([candidate, flips, cut]) => {
        const bytes = encodable(candidate as LogEntry) ?? new Uint8Array([0x86, 1]);
        const copy = Uint8Array.from(bytes);
        for (const [position, value] of flips) copy[position % copy.length] = value;
        return cut % 5 === 0 ? copy.subarray(0, cut % (copy.length + 1)) : copy;
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 200 })), (bytes) => {
        let strict: LogEntry | null = null;
        try {
          strict = decodeLogEntry(bytes);
        } catch {
          strict = null;
        }
        try {
          const header = readEntryHeader(bytes);
          expect(strict).not.toBeNull();
          expect(header).toEqual({
            receivedAtMs: strict?.receivedAtMs,
            transport: strict?.transport,
            deviceId: strict?.deviceId,
            contentType: strict?.contentType,
          });
        } catch (error) {
          if (!isTrialgateError(error)) throw error;
          expect(strict).toBeNull();
        }
      }),
      { numRuns: 5000 },
    );
  });
});
