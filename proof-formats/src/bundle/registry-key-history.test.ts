import { encodeCbor } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { registryKeyOf } from './registry-key-history.js';

const change = (fields: Record<string, Parameters<typeof encodeCbor>[0]>) => encodeCbor(new Map(Object.entries({ v: 1, dev: 'hr-1', ...fields })));

describe('registryKeyOf', () => {
  it('reads the key of an enrolment and of a rotation', () => {
    const key = new Uint8Array(32).fill(7);
    expect(registryKeyOf(change({ op: 'enroll', public_key: key }), 'hr-1')).toEqual(key);
    expect(registryKeyOf(change({ op: 'rotate-key', public_key: key }), 'hr-1')).toEqual(key);
  });

  it('reads an enrolment without a key (public_key null, a device that cannot sign) as naming no key', () => {
    expect(registryKeyOf(change({ op: 'enroll', kind: 'hr-strap', public_key: null, transports: ['ble'], subject: null }), 'hr-1')).toBeUndefined();
  });

  it('calls unreadable what is not the documented form: a rotation to no key, a missing or short key, another device', () => {
    expect(registryKeyOf(change({ op: 'rotate-key', public_key: null }), 'hr-1')).toBe('unreadable');
    expect(registryKeyOf(change({ op: 'enroll' }), 'hr-1')).toBe('unreadable');
    expect(registryKeyOf(change({ op: 'enroll', public_key: new Uint8Array(31) }), 'hr-1')).toBe('unreadable');
    expect(registryKeyOf(change({ op: 'enroll', public_key: null }), 'hr-2')).toBe('unreadable');
    expect(registryKeyOf(Uint8Array.of(0xff), 'hr-1')).toBe('unreadable');
  });
});
