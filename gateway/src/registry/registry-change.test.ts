import fc from 'fast-check';
import { encodeCbor, isTrialgateError } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { decodeRegistryChange, encodeRegistryChange } from './registry-change.js';
import { parseDeviceImport } from './parse-device-import.js';
import { byteChanges, withByteChanges } from '../testing/mutated-bytes.js';

const sample = encodeRegistryChange({
  op: 'enroll',
  dev: 'd-1',
  kind: 'wearable',
  publicKey: Uint8Array.from(Buffer.from('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', 'hex')),
  transports: ['mqtt'],
  subject: null,
});

describe('decodeRegistryChange (attacker-controlled bytes)', () => {
  it('round-trips what it encodes', () => {
    expect(decodeRegistryChange(sample)).toMatchObject({ op: 'enroll', dev: 'd-1', subject: null });
  });

  it('throws only typed errors for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeRegistryChange(bytes);
        } catch (error) {
          expect(isTrialgateError(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('throws only typed errors for mutated registry changes', () => {
    fc.assert(
      fc.property(byteChanges(4), (changes) => {
        const bytes = withByteChanges(sample, changes);
        try {
          decodeRegistryChange(bytes);
        } catch (error) {
          expect(isTrialgateError(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes an enrolment without a key (public_key null), and refuses one whose public_key is missing', () => {
    const keyless = encodeRegistryChange({ op: 'enroll', dev: 'hr-1', kind: 'hr-strap', publicKey: null, transports: ['ble'], subject: null });
    expect(decodeRegistryChange(keyless)).toEqual({ op: 'enroll', dev: 'hr-1', kind: 'hr-strap', publicKey: null, transports: ['ble'], subject: null });
    expect(() => decodeRegistryChange(encodeCbor({ v: 1, op: 'enroll', dev: 'hr-1', kind: 'hr-strap', transports: ['ble'], subject: null }))).toThrow(/public_key/);
    expect(() => decodeRegistryChange(encodeCbor({ v: 1, op: 'rotate-key', dev: 'hr-1', public_key: null }))).toThrow(/public_key/);
  });

  it('refuses well-formed maps that are not registry changes', () => {
    for (const value of [{ v: 2, op: 'suspend', dev: 'a' }, { v: 1, op: 'explode', dev: 'a' }, { v: 1, op: 'suspend', dev: 'a', extra: 1 }, { v: 1, op: 'suspend', dev: 'not ok' }, [1]]) {
      expect(() => decodeRegistryChange(encodeCbor(value))).toThrow(/not a registry change/);
    }
  });
});

describe('parseDeviceImport', () => {
  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.json()), { maxLength: 20 }), (lines) => {
        const result = parseDeviceImport(lines.join('\n'));
        expect(result.devices.length + result.problems.length).toBeLessThanOrEqual(lines.length + 1);
      }),
      { numRuns: 1000 },
    );
  });
});
