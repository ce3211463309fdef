import { isTrialgateError } from '@trialgate/firmware-protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceLeafHash,
  referenceRoot,
} from '../testing/reference-merkle-tree.js';
import { consistencyProofLength, verifyConsistencyProof } from './consistency-proof.js';
import { IncrementalTree } from './incremental-tree.js';
import { inclusionProofLength, verifyInclusionProof } from './inclusion-proof.js';
import { MemoryTreeHashStore } from './memory-tree-hash-store.js';
import { leafHash } from './tree-hashing.js';

const MAX = 64;
const leaves = Array.from({ length: MAX }, (_, i) => new TextEncoder().encode(`leaf ${i}`));
const tree = IncrementalTree.open(new MemoryTreeHashStore());
tree.appendEntries(leaves);
const roots = Array.from({ length: MAX + 1 }, (_, size) => referenceRoot(leaves.slice(0, size)));

function flipped(proof: readonly Uint8Array[], position: number, bit: number): Uint8Array[] {
  return proof.map((hash, i) => {
    if (i !== position) return hash;
    const copy = Uint8Array.from(hash);
    copy[bit % 32] = (copy[bit % 32] ?? 0) ^ (1 << bit % 8);
    return copy;
  });
}

function rejects(action: () => void): boolean {
  try {
    action();
    return false;
  } catch (error) {
    if (!isTrialgateError(error)) throw error;
    return true;
  }
}

describe('RFC 9162 proofs against the reference implementation, every size up to 64', () => {
  it('roots equal the reference MTH for every size 0..64', () => {
    for (let size = 0; size <= MAX; size++) expect(tree.root(size)).toEqual(roots[size]);
  });

  it('leaf hashes equal the reference for every leaf', () => {
    leaves.forEach((leaf, i) => expect(tree.leafHash(i)).toEqual(referenceLeafHash(leaf)));
  });

  it('every inclusion proof (all indices, all sizes) equals PATH and verifies; every corruption is rejected', () => {
    for (let size = 1; size <= MAX; size++) {
      const root = roots[size] ?? new Uint8Array();
      for (let index = 0; index < size; index++) {
        const proof = tree.inclusionProof(index, size);
        expect(proof).toEqual(referenceInclusionProof(index, leaves.slice(0, size)));
        expect(proof.length).toBe(inclusionProofLength(index, size));
        const hash = leafHash(leaves[index] ?? new Uint8Array());
        verifyInclusionProof({ index, size, leafHash: hash, proof, root });
        const bad = (index2: number, size2: number, proof2: readonly Uint8Array[], root2 = root, hash2 = hash) =>
          rejects(() => verifyInclusionProof({ index: index2, size: size2, leafHash: hash2, proof: proof2, root: root2 }));
        expect(bad(index + 1, size, proof)).toBe(true);
        if (index > 0) expect(bad(index - 1, size, proof)).toBe(true);
        // A different size is only detectable when it changes the shape of the path (a tree of size + 1 can
        // have the same path for this leaf, and then the same root is a correct answer).
        for (const other of [size - 1, size + 1, size * 2]) {
          if (index >= other || inclusionProofLength(index, other) !== proof.length) expect(bad(index, other, proof)).toBe(true);
        }
        expect(bad(index, size, [...proof, root])).toBe(true);
        expect(bad(index, size, [root, ...proof])).toBe(true);
        if (proof.length > 0) expect(bad(index, size, proof.slice(0, -1))).toBe(true);
        expect(bad(index, size, proof, root, leafHash(new Uint8Array([1, 2, 3])))).toBe(true);
        for (let p = 0; p < proof.length; p++) expect(bad(index, size, flipped(proof, p, 3 + p))).toBe(true);
        if (proof.length >= 2) expect(bad(index, size, [proof[1], proof[0], ...proof.slice(2)] as Uint8Array[])).toBe(true);
      }
    }
  });

  it('every consistency proof (all 0 < m <= n <= 64) equals PROOF and verifies; every corruption is rejected', () => {
    for (let to = 1; to <= MAX; to++) {
      for (let from = 1; from <= to; from++) {
        const proof = tree.consistencyProof(from, to);
        expect(proof).toEqual(referenceConsistencyProof(from, leaves.slice(0, to)));
        expect(proof.length).toBe(consistencyProofLength(from, to));
        const fromRoot = roots[from] ?? new Uint8Array();
        const toRoot = roots[to] ?? new Uint8Array();
        verifyConsistencyProof({ fromSize: from, toSize: to, proof, fromRoot, toRoot });
        const bad = (m: number, n: number, p: readonly Uint8Array[], r1 = fromRoot, r2 = toRoot) =>
          rejects(() => verifyConsistencyProof({ fromSize: m, toSize: n, proof: p, fromRoot: r1, toRoot: r2 }));
        if (from === to) {
          expect(bad(from, to, [fromRoot])).toBe(true);
          if (from > 1) expect(bad(from, to, proof, roots[from - 1])).toBe(true);
          continue;
        }
        expect(bad(from, to, [])).toBe(true);
        expect(bad(from, to, [...proof, toRoot])).toBe(true);
        expect(bad(from, to, [fromRoot, ...proof])).toBe(true);
        expect(bad(from, to, proof.slice(0, -1))).toBe(true);
        expect(bad(from, to, proof, toRoot, fromRoot)).toBe(true);
        expect(bad(from + 1, to, proof)).toBe(true);
        if (consistencyProofLength(from, to + 1) !== proof.length) expect(bad(from, to + 1, proof)).toBe(true);
        if (from > 1) expect(bad(from - 1, to, proof)).toBe(true);
        for (let p = 0; p < proof.length; p++) expect(bad(from, to, flipped(proof, p, 4 + p))).toBe(true);
      }
    }
  });

  it('a consistency proof from size 0 is rejected even with an empty proof and the empty root', () => {
    expect(rejects(() => verifyConsistencyProof({ fromSize: 0, toSize: 5, proof: [], fromRoot: roots[0] ?? new Uint8Array(), toRoot: roots[5] ?? new Uint8Array() }))).toBe(true);
    expect(() => tree.consistencyProof(0, 5)).toThrow();
  });

  it('an index equal to the size is rejected (index < size)', () => {
    expect(rejects(() => verifyInclusionProof({ index: 4, size: 4, leafHash: leafHash(leaves[3] ?? new Uint8Array()), proof: tree.inclusionProof(3, 4), root: roots[4] ?? new Uint8Array() }))).toBe(true);
  });
});

describe('proof verification on attacker-controlled input (fast-check)', () => {
  const hash = fc.uint8Array({ minLength: 0, maxLength: 40 });
  const size = fc.oneof(fc.integer({ min: -3, max: 80 }), fc.constantFrom(2 ** 53, 2 ** 53 - 1, 2 ** 32, Number.NaN, 1.5));

  it('verifyInclusionProof on arbitrary input throws only typed errors and never accepts a random proof', () => {
    fc.assert(
      fc.property(size, size, hash, fc.array(hash, { maxLength: 10 }), hash, (index, treeSize, leaf, proof, root) => {
        expect(rejects(() => verifyInclusionProof({ index, size: treeSize, leafHash: leaf, proof, root }))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('verifyConsistencyProof on arbitrary input throws only typed errors and never accepts a random proof', () => {
    fc.assert(
      fc.property(size, size, fc.array(hash, { maxLength: 10 }), hash, hash, (from, to, proof, r1, r2) => {
        fc.pre(!(from === to && proof.length === 0 && r1.length === 32 && r1.every((b, i) => b === r2[i])));
        expect(rejects(() => verifyConsistencyProof({ fromSize: from, toSize: to, proof, fromRoot: r1, toRoot: r2 }))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('proof lengths are computed for very large trees without 32-bit overflow', () => {
    expect(inclusionProofLength(2 ** 40, 2 ** 41 + 3)).toBe(42);
    expect(inclusionProofLength(0, 2 ** 52)).toBe(52);
    expect(consistencyProofLength(2 ** 40, 2 ** 41)).toBe(1);
  });
});
