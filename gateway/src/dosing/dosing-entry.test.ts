import fc from 'fast-check';
import { encodeCbor, isTrialgateError } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { decodeDosingEntry, encodeDosingEntry, type DosingEntry } from './dosing-entry.js';
import { arbitraryOrMutated } from '../testing/mutated-bytes.js';

const samples: DosingEntry[] = [
  { event: 'schedule-set', dev: 'disp-1', version: 1, tz: 'Europe/Berlin', windowMin: 240, remindMin: [0, 60], doses: [{ slot: 1, at: '08:00' }], by: 'cli' },
  { event: 'schedule-set', dev: 'disp-1', version: 2, tz: 'UTC', windowMin: 60, remindMin: [], doses: [] },
  { event: 'schedule-sent', dev: 'disp-1', id: 1, version: 1, msg: new Uint8Array([0xd2, 0x84]) },
  { event: 'reminder-sent', dev: 'disp-1', id: 2, slot: 1, scheduled: 1_750_000_000_000, windowEnd: 1_750_014_400_000, n: 1, msg: new Uint8Array([1]) },
  { event: 'ack', dev: 'disp-1', ref: 2, of: 'reminder', status: 'accepted', entry: 9, refEntry: 7 },
  { event: 'ack', dev: 'disp-1', ref: 99, of: 'reminder', status: 'refused', reason: 'unknown slot', entry: 10, refEntry: null },
  { event: 'dose-missed', dev: 'disp-1', slot: 1, scheduled: 1_750_000_000_000, windowEnd: 1_750_014_400_000, version: 1, reminders: 2, deviceReported: null },
];

describe('dosing entries', () => {
  it('round-trip every event, with keys in the documented order', () => {
    for (const sample of samples) expect(decodeDosingEntry(encodeDosingEntry(sample))).toStrictEqual(sample);
    // {"v": 1, "event": "ack", "dev": ...}: a3.. map, "v" first.
    expect(Buffer.from(encodeDosingEntry(samples[4] as DosingEntry)).toString('hex').slice(0, 8)).toBe('a8617601');
  });

  it('returns null for other gateway records and refuses malformed dosing records', () => {
    expect(decodeDosingEntry(encodeCbor({ v: 1, event: 'clock-offset', dev: 'hr-1' }))).toBeNull();
    expect(() => decodeDosingEntry(encodeCbor({ v: 2, event: 'ack', dev: 'd' }))).toThrow(/version/);
    expect(() => decodeDosingEntry(encodeCbor({ v: 1, event: 'ack', dev: 'd', ref: 1, of: 'x', status: 'y', entry: 1, ref_entry: null, extra: 1 }))).toThrow(/unexpected key/);
    expect(() => decodeDosingEntry(encodeCbor([1]))).toThrow(/map/);
  });

  it('decoding arbitrary or mutated bytes throws only typed errors', () => {
    const encoded = samples.map(encodeDosingEntry);
    fc.assert(
      fc.property(
        arbitraryOrMutated(encoded, { maxLength: 300, maxChanges: 4 }),
        (bytes) => {
          try {
            decodeDosingEntry(bytes);
          } catch (error) {
            expect(isTrialgateError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
