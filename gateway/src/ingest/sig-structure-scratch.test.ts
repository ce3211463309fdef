import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coseSigStructure } from '@trialgate/firmware-protocol';
import { sigStructureView } from './sig-structure-scratch.js';

describe('sigStructureView: the bytes of coseSigStructure, in a reused buffer', () => {
  it('writes exactly what coseSigStructure writes, for every length class of both parts', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(Uint8Array.from([0xa1, 0x01, 0x27])), fc.uint8Array({ maxLength: 300 })),
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 70_000 }).map((n) => new Uint8Array(n).fill(n & 0xff))),
        (protectedBytes, payload) => {
          const view = sigStructureView(protectedBytes, payload);
          expect(Buffer.from(view).equals(Buffer.from(coseSigStructure(protectedBytes, payload)))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives each call its own bytes (the previous view is only valid until the next call)', () => {
    const first = Buffer.from(sigStructureView(Uint8Array.from([1]), Uint8Array.from([2, 3])));
    sigStructureView(Uint8Array.from([9]), Uint8Array.from([9, 9, 9]));
    expect(first.equals(Buffer.from(coseSigStructure(Uint8Array.from([1]), Uint8Array.from([2, 3]))))).toBe(true);
  });
});
