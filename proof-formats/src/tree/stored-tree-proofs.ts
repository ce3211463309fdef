import { ProofFormatError } from '../errors/proof-format-error.js';
import { EMPTY_TREE_ROOT, nodeHash } from './tree-hashing.js';
import type { TreeHashStore } from './tree-hash-store.js';
import { assertTreeInteger, highestPowerOfTwo, splitPoint } from './tree-size-math.js';

/**
 * Roots and proofs for any tree size up to the store's leaf count, computed from stored perfect-subtree
 * hashes (see `TreeHashStore`), following the recursive definitions of RFC 9162 sections 2.1.1 (MTH),
 * 2.1.3.1 (PATH) and 2.1.4.1 (PROOF/SUBPROOF) without recursing over leaves.
 *
 * Cost: every range that the RFC's recursion asks MTH of is aligned to a power of two at least as large as
 * itself, so it is the concatenation of at most log2(n) stored perfect subtrees. Only the range on the right
 * edge of the tree is not itself perfect, so a root, an inclusion proof or a consistency proof reads O(log n)
 * nodes in all, and never rebuilds anything.
 */
export type TreeNodeReader = Pick<TreeHashStore, 'readNode' | 'leafCount'>;

/** MTH(D[start:end]) for a range aligned as described above (start a multiple of a power of two >= length). */
function rangeHash(reader: TreeNodeReader, start: number, end: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let position = start;
  let remaining = end - start;
  while (remaining > 0) {
    const { power, exponent } = highestPowerOfTwo(remaining);
    parts.push(reader.readNode(exponent, position / power));
    position += power;
    remaining -= power;
  }
  // Right fold: the largest subtree on the left is joined last (MTH splits at the largest power of two).
  let acc = parts.pop();
  if (acc === undefined) throw new ProofFormatError('E_TREE_ARGUMENT', 'empty range', { details: { start, end } });
  while (parts.length > 0) {
    const left = parts.pop();
    if (left === undefined) break;
    acc = nodeHash(left, acc);
  }
  return acc;
}

function checkSize(reader: TreeNodeReader, size: number): void {
  assertTreeInteger(size, 'tree size');
  const available = reader.leafCount();
  if (size > available) {
    throw new ProofFormatError('E_TREE_ARGUMENT', `tree size ${size} is beyond the ${available} stored leaves`, {
      details: { size, available },
    });
  }
}

/** MTH(D[size]); the empty tree's root for size 0. */
export function rootFromStore(reader: TreeNodeReader, size: number): Uint8Array {
  checkSize(reader, size);
  return size === 0 ? EMPTY_TREE_ROOT : rangeHash(reader, 0, size);
}

/** The stored leaf hash of entry `index` (< leafCount). */
export function leafHashFromStore(reader: TreeNodeReader, index: number): Uint8Array {
  assertTreeInteger(index, 'leaf index');
  checkSize(reader, index + 1);
  return reader.readNode(0, index);
}

/** PATH(index, D[size]) of RFC 9162 section 2.1.3.1, leaf side first. */
export function inclusionProofFromStore(reader: TreeNodeReader, index: number, size: number): Uint8Array[] {
  assertTreeInteger(index, 'leaf index');
  checkSize(reader, size);
  if (index >= size) {
    throw new ProofFormatError('E_TREE_ARGUMENT', `leaf index ${index} is not below the tree size ${size}`, {
      details: { index, size },
    });
  }
  // Walk down from the root; the recursion emits the sibling of each level after the deeper ones, so the
  // siblings collected top-down are reversed at the end.
  const topDown: Uint8Array[] = [];
  let start = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = splitPoint(n);
    if (m < k) {
      // PATH(m, D[0:k]) : MTH(D[k:n])
      topDown.push(rangeHash(reader, start + k, start + n));
      n = k;
    } else {
      // PATH(m - k, D[k:n]) : MTH(D[0:k])
      topDown.push(rangeHash(reader, start, start + k));
      start += k;
      m -= k;
      n -= k;
    }
  }
  return topDown.reverse();
}

/** PROOF(fromSize, D[toSize]) = SUBPROOF(fromSize, D[toSize], true) of RFC 9162 section 2.1.4.1. */
export function consistencyProofFromStore(reader: TreeNodeReader, fromSize: number, toSize: number): Uint8Array[] {
  assertTreeInteger(fromSize, 'first tree size');
  checkSize(reader, toSize);
  if (fromSize === 0 || fromSize > toSize) {
    throw new ProofFormatError('E_TREE_ARGUMENT', 'a consistency proof needs 0 < first size <= second size', {
      details: { fromSize, toSize },
    });
  }
  const topDown: Uint8Array[] = [];
  let start = 0;
  let n = toSize;
  let m = fromSize;
  let whole = true;
  while (m !== n) {
    const k = splitPoint(n);
    if (m <= k) {
      // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      topDown.push(rangeHash(reader, start + k, start + n));
      n = k;
    } else {
      // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      topDown.push(rangeHash(reader, start, start + k));
      start += k;
      m -= k;
      n -= k;
      whole = false;
    }
  }
  // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}.
  const base = whole ? [] : [rangeHash(reader, start, start + m)];
  return [...base, ...topDown.reverse()];
}
