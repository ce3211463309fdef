import { describe, expect, it } from 'vitest';
import { toHex } from '../encoding/bytes.js';
import {
  CT_CONSISTENCY_PROOFS,
  CT_EMPTY_ROOT_HEX,
  CT_INCLUSION_PROOFS,
  CT_LEAVES_HEX,
  CT_ROOTS_HEX,
} from '../testing/ct-known-answers.js';
import { verifyConsistencyProof } from './consistency-proof.js';
import { IncrementalTree } from './incremental-tree.js';
import { verifyInclusionProof } from './inclusion-proof.js';
import { MemoryTreeHashStore } from './memory-tree-hash-store.js';
import { EMPTY_TREE_ROOT, leafHash } from './tree-hashing.js';

const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const leaves = CT_LEAVES_HEX.map(fromHex);

function ctTree(): IncrementalTree {
  const tree = IncrementalTree.open(new MemoryTreeHashStore());
  tree.appendEntries(leaves);
  return tree;
}

describe('RFC 6962 / Certificate Transparency known answers', () => {
  it('the empty tree root is SHA-256 of the empty string', () => {
    expect(toHex(EMPTY_TREE_ROOT)).toBe(CT_EMPTY_ROOT_HEX);
    expect(toHex(IncrementalTree.open(new MemoryTreeHashStore()).root())).toBe(CT_EMPTY_ROOT_HEX);
  });

  it('computes the published root of every prefix of the eight CT leaves', () => {
    const tree = ctTree();
    CT_ROOTS_HEX.forEach((root, i) => expect(toHex(tree.root(i + 1))).toBe(root));
  });

  it('generates the published inclusion proofs, which verify against the published roots', () => {
    const tree = ctTree();
    for (const vector of CT_INCLUSION_PROOFS) {
      expect(tree.inclusionProof(vector.index, vector.size).map(toHex)).toEqual(vector.proof);
      const leaf = leaves[vector.index] ?? new Uint8Array();
      expect(() =>
        verifyInclusionProof({
          index: vector.index,
          size: vector.size,
          leafHash: leafHash(leaf),
          proof: vector.proof.map(fromHex),
          root: fromHex(CT_ROOTS_HEX[vector.size - 1] ?? ''),
        }),
      ).not.toThrow();
    }
  });

  it('generates the published consistency proofs, which verify against the published roots', () => {
    const tree = ctTree();
    for (const vector of CT_CONSISTENCY_PROOFS) {
      expect(tree.consistencyProof(vector.from, vector.to).map(toHex)).toEqual(vector.proof);
      expect(() =>
        verifyConsistencyProof({
          fromSize: vector.from,
          toSize: vector.to,
          proof: vector.proof.map(fromHex),
          fromRoot: fromHex(CT_ROOTS_HEX[vector.from - 1] ?? ''),
          toRoot: fromHex(CT_ROOTS_HEX[vector.to - 1] ?? ''),
        }),
      ).not.toThrow();
    }
  });
});
