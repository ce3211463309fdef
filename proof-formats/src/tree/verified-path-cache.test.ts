import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IncrementalTree } from './incremental-tree.js';
import { verifyInclusionProof } from './inclusion-proof.js';
import { MemoryTreeHashStore } from './memory-tree-hash-store.js';
import { leafHash } from './tree-hashing.js';
import { VerifiedPathCache } from './verified-path-cache.js';

/**
 * The cache must answer exactly as the plain RFC 9162 walk whenever it accepts, and accept every valid proof:
 * checked on every tree size up to 70 with proofs in log order, and on random sequences of valid, corrupted,
 * re-indexed, shortened, lengthened and foreign proofs (fast-check), against `verifyInclusionProof`.
 */
const MAX = 70;
const entries = Array.from({ length: MAX }, (_, i) => new TextEncoder().encode(`entry ${i}`));
const tree = IncrementalTree.open(new MemoryTreeHashStore());
tree.appendEntries(entries);
const leaves = entries.map((e) => leafHash(e));

const toHex = (h: Uint8Array): string => Buffer.from(h).toString('hex');
/** Hex tokens; refuses anything but 64 lower-case hex digits, as base64 decoding refuses non-canonical text. */
const fromHex = (t: string): Uint8Array | undefined => (/^[0-9a-f]{64}$/.test(t) ? new Uint8Array(Buffer.from(t, 'hex')) : undefined);

function plain(index: number, size: number, leaf: Uint8Array, tokens: readonly string[]): boolean {
  const proof = tokens.map(fromHex);
  if (proof.some((p) => p === undefined)) return false;
  try {
    verifyInclusionProof({ index, size, leafHash: leaf, proof: proof as Uint8Array[], root: tree.root(size) });
    return true;
  } catch {
    return false;
  }
}

describe('VerifiedPathCache', () => {
  it('accepts every valid proof of every size up to 70, in log order, twice over, and the repeats', () => {
    for (let size = 1; size <= MAX; size++) {
      const cache = new VerifiedPathCache(size, tree.root(size), fromHex);
      for (let round = 0; round < 2; round++) {
        for (let index = 0; index < size; index++) {
          const proof = tree.inclusionProof(index, size).map(toHex);
          expect(cache.verify(index, leaves[index] ?? new Uint8Array(), proof), `size ${size} index ${index}`).toBe(true);
          expect(cache.verify(index, leaves[index] ?? new Uint8Array(), proof)).toBe(true);
        }
      }
    }
  });

  it('in log order, refuses every one-hash corruption of each proof while the neighbouring walk is remembered', () => {
    for (const size of [1, 2, 3, 5, 8, 13, 16, 17, 31, 64, 70]) {
      const cache = new VerifiedPathCache(size, tree.root(size), fromHex);
      for (let index = 0; index < size; index++) {
        const valid = tree.inclusionProof(index, size).map(toHex);
        const leaf = leaves[index] ?? new Uint8Array();
        for (let k = 0; k < valid.length; k++) {
          const bad = [...valid];
          const bytes = fromHex(bad[k] ?? '') ?? new Uint8Array(32);
          bytes[k % 32] = (bytes[k % 32] ?? 0) ^ 0x80;
          bad[k] = toHex(bytes);
          expect(cache.verify(index, leaf, bad), `size ${size} index ${index} hash ${k}`).toBe(false);
          expect(cache.verify(index + 1, leaf, valid)).toBe(plain(index + 1, size, leaf, valid));
        }
        expect(cache.verify(index, leaf, valid)).toBe(true);
      }
    }
  });

  it('agrees with verifyInclusionProof on random sequences of valid and tampered proofs', () => {
    const step = fc.record({
      index: fc.nat(MAX - 1),
      tamper: fc.oneof(
        fc.constant('none' as const),
        fc.constant('none' as const),
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(10), bit: fc.nat(255) }),
        fc.record({ kind: fc.constant('index' as const), delta: fc.integer({ min: -3, max: 3 }) }),
        fc.record({ kind: fc.constant('drop' as const), at: fc.nat(10) }),
        fc.record({ kind: fc.constant('add' as const), at: fc.nat(10) }),
        fc.record({ kind: fc.constant('swap' as const), a: fc.nat(10), b: fc.nat(10) }),
        fc.record({ kind: fc.constant('leaf' as const), other: fc.nat(MAX - 1) }),
        fc.record({ kind: fc.constant('token' as const), at: fc.nat(10) }),
        fc.record({ kind: fc.constant('borrow' as const), from: fc.nat(MAX - 1), at: fc.nat(10) }),
      ),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.array(step, { minLength: 1, maxLength: 60 }), (size, steps) => {
        const cache = new VerifiedPathCache(size, tree.root(size), fromHex);
        for (const s of steps) {
          const index = s.index % size;
          let at = index;
          let leaf = leaves[index] ?? new Uint8Array();
          const proof = tree.inclusionProof(index, size).map(toHex);
          const t = s.tamper;
          if (t !== 'none') {
            const k = proof.length === 0 ? 0 : ('at' in t ? t.at : 0) % proof.length;
            if (t.kind === 'flip' && proof.length > 0) {
              const bytes = fromHex(proof[k] ?? '') ?? new Uint8Array(32);
              bytes[t.bit % 32] = (bytes[t.bit % 32] ?? 0) ^ (1 << t.bit % 8);
              proof[k] = toHex(bytes);
            } else if (t.kind === 'index') {
              at = Math.max(0, index + t.delta);
            } else if (t.kind === 'drop' && proof.length > 0) {
              proof.splice(k, 1);
            } else if (t.kind === 'add') {
              proof.splice(k, 0, toHex(leaves[k] ?? new Uint8Array(32)));
            } else if (t.kind === 'swap' && proof.length > 0) {
              const a = t.a % proof.length;
              const b = t.b % proof.length;
              [proof[a], proof[b]] = [proof[b] ?? '', proof[a] ?? ''];
            } else if (t.kind === 'leaf') {
              leaf = leaves[t.other % size] ?? leaf;
            } else if (t.kind === 'token' && proof.length > 0) {
              proof[k] = (proof[k] ?? '').toUpperCase();
            } else if (t.kind === 'borrow' && proof.length > 0) {
              const other = tree.inclusionProof(t.from % size, size);
              proof[k] = toHex(other[k % Math.max(1, other.length)] ?? new Uint8Array(32));
            }
          }
          expect(cache.verify(at, leaf, proof)).toBe(plain(at, size, leaf, proof));
        }
      }),
      { numRuns: 600 },
    );
  });

  it('never accepts out-of-range indices or a wrong root', () => {
    const cache = new VerifiedPathCache(8, tree.root(8), fromHex);
    const proof = tree.inclusionProof(3, 8).map(toHex);
    expect(cache.verify(3, leaves[3] ?? new Uint8Array(), proof)).toBe(true);
    expect(cache.verify(8, leaves[3] ?? new Uint8Array(), proof)).toBe(false);
    expect(cache.verify(-1, leaves[3] ?? new Uint8Array(), proof)).toBe(false);
    expect(cache.verify(3.5, leaves[3] ?? new Uint8Array(), proof)).toBe(false);
    expect(cache.verify(3, new Uint8Array(31), proof)).toBe(false);
    const wrongRoot = new VerifiedPathCache(8, tree.root(7), fromHex);
    expect(wrongRoot.verify(3, leaves[3] ?? new Uint8Array(), proof)).toBe(false);
  });
});
