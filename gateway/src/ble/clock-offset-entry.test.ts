import fc from 'fast-check';
import { encodeCurrentTime, isTrialgateError } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { clockOffsetLogEntry, clockOffsetOf, decodeClockOffsetEntry } from './clock-offset-entry.js';
import { arbitraryOrMutated } from '../testing/mutated-bytes.js';

describe('clock-offset entries', () => {
  it('measure the device clock against the gateway clock and round-trip', () => {
    const raw = encodeCurrentTime({ dateTime: { year: 2025, month: 6, day: 2, hours: 8, minutes: 0, seconds: 30 }, fractions256: 128 });
    const gatewayMs = Date.UTC(2025, 5, 2, 8, 0, 0);
    const record = clockOffsetOf('hr-1', raw, gatewayMs);
    expect(record).toMatchObject({ deviceTime: '2025-06-02T08:00:30.500', offsetMs: 30_500 });
    const entry = clockOffsetLogEntry(record, gatewayMs);
    expect(entry).toMatchObject({ transport: 'ble', deviceId: 'hr-1', contentType: 'gateway' });
    expect(decodeClockOffsetEntry(entry.original)).toStrictEqual(record);
    const unset = clockOffsetOf('hr-1', encodeCurrentTime({ dateTime: { year: 0, month: 0, day: 0, hours: 0, minutes: 0, seconds: 0 } }), gatewayMs);
    expect(unset).toMatchObject({ deviceTime: null, offsetMs: null });
  });

  it('decoding arbitrary or mutated bytes throws only typed errors', () => {
    const valid = clockOffsetLogEntry(clockOffsetOf('hr-1', encodeCurrentTime({ dateTime: { year: 2025, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0 } }), 0), 0).original;
    fc.assert(
      fc.property(
        arbitraryOrMutated([valid], { maxLength: 200, maxChanges: 3 }),
        (bytes) => {
          try {
            decodeClockOffsetEntry(bytes);
          } catch (error) {
            expect(isTrialgateError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
