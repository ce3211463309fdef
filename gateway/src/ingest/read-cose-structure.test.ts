import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CborTag, decodeCoseSign1, encodeCbor, isProtocolError, type CoseSign1 } from '@trialgate/firmware-protocol';
import { readCoseSign1Structure } from './read-cose-structure.js';

const deviceId = fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/);

/** A COSE_Sign1 in the spec's shape, as encodeCbor (preferred heads) writes it. */
const canonical = fc
  .record({ kid: deviceId, payload: fc.uint8Array({ maxLength: 300 }), signature: fc.uint8Array({ minLength: 64, maxLength: 64 }) })
  .map(({ kid, payload, signature }) => ({
    kid,
    bytes: encodeCbor(new CborTag(18, [Uint8Array.from([0xa1, 0x01, 0x27]), new Map([[4, new TextEncoder().encode(kid)]]), payload, signature])),
  }));

const mutation = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete', 'cut'));

function mutate(bytes: Uint8Array, mutations: readonly (readonly [number, number, string])[]): Uint8Array {
  let out = Array.from(bytes);
  for (const [position, byte, kind] of mutations) {
    const at = out.length === 0 ? 0 : position % out.length;
    if (kind === 'set') out[at] = byte;
    else if (kind === 'insert') out.splice(at, 0, byte);
    else if (kind === 'delete') out.splice(at, 1);
    else out = out.slice(0, at);
  }
  return Uint8Array.from(out);
}

function reference(bytes: Uint8Array, maxBytes: number): CoseSign1 | string {
  try {
    return decodeCoseSign1(bytes, { maxBytes });
  } catch (error) {
    if (isProtocolError(error)) return error.code;
    throw error;
  }
}

/** The fast reader never accepts what the reference refuses, and returns exactly the reference's parts. */
function agrees(bytes: Uint8Array, maxBytes: number, sender: string | null): CoseSign1 | null {
  const fast = readCoseSign1Structure(bytes, maxBytes, sender);
  const ref = reference(bytes, maxBytes);
  if (fast === null) return null;
  expect(typeof ref).not.toBe('string');
  const parts = ref as CoseSign1;
  expect(fast.kid).toBe(parts.kid);
  expect(Buffer.from(fast.protectedBytes).equals(Buffer.from(parts.protectedBytes))).toBe(true);
  expect(Buffer.from(fast.payloadBytes).equals(Buffer.from(parts.payloadBytes))).toBe(true);
  expect(Buffer.from(fast.signature).equals(Buffer.from(parts.signature))).toBe(true);
  return fast;
}

describe('readCoseSign1Structure: the common shape, checked against decodeCoseSign1 (the strict reference)', () => {
  it('reads every message in the spec shape, with the same parts as the reference', () => {
    fc.assert(
      fc.property(canonical, fc.boolean(), ({ kid, bytes }, senderIsKid) => {
        const fast = agrees(bytes, 4096, senderIsKid ? kid : 'someone-else');
        expect(fast).not.toBeNull();
        expect(fast?.kid).toBe(kid);
      }),
      { numRuns: 2000 },
    );
  });

  it('never accepts mutated messages that the reference refuses, and agrees on those it accepts', () => {
    fc.assert(
      fc.property(canonical, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.constantFrom(4096, 120, 80), ({ kid, bytes }, mutations, maxBytes) => {
        agrees(mutate(bytes, mutations), maxBytes, kid);
      }),
      { numRuns: 5000 },
    );
  });

  it('never accepts arbitrary bytes that the reference refuses (with and without the spec prefix)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (raw, prefixed) => {
        const bytes = prefixed ? Uint8Array.from([0xd2, 0x84, 0x43, 0xa1, 0x01, 0x27, 0xa1, 0x04, ...raw]) : raw;
        agrees(bytes, 4096, null);
      }),
      { numRuns: 5000 },
    );
  });

  it('leaves other well-formed encodings (non-preferred heads, longer kid heads) to the reference', () => {
    const kid = new TextEncoder().encode('dev-1');
    const payload = Uint8Array.from([0xa0]);
    const signature = new Uint8Array(64).fill(7);
    // The tag written with a one-byte argument (d8 12): valid CBOR, not the spec's shape.
    const nonPreferred = Uint8Array.from([0xd8, 0x12, 0x84, 0x43, 0xa1, 0x01, 0x27, 0xa1, 0x04, 0x45, ...kid, 0x41, ...payload, 0x58, 0x40, ...signature]);
    expect(readCoseSign1Structure(nonPreferred, 4096, 'dev-1')).toBeNull();
    expect(reference(nonPreferred, 4096)).toMatchObject({ kid: 'dev-1' });
    // A kid that is not a device id goes to the reference, which words the refusal.
    const badKid = Uint8Array.from([0xd2, 0x84, 0x43, 0xa1, 0x01, 0x27, 0xa1, 0x04, 0x42, 0x20, 0x21, 0x41, ...payload, 0x58, 0x40, ...signature]);
    expect(readCoseSign1Structure(badKid, 4096, null)).toBeNull();
    expect(reference(badKid, 4096)).toBe('E_COSE_KID');
  });

  it('returns views into the message, not copies, and the sender\'s own string for the kid', () => {
    const sender = 'strap-0042';
    const bytes = encodeCbor(new CborTag(18, [Uint8Array.from([0xa1, 0x01, 0x27]), new Map([[4, new TextEncoder().encode(sender)]]), Uint8Array.from([1, 2, 3]), new Uint8Array(64)]));
    const fast = readCoseSign1Structure(bytes, 4096, sender);
    expect(fast?.payloadBytes.buffer).toBe(bytes.buffer);
    expect(fast?.kid).toBe(sender);
  });
});
