import { bytesEqual } from '../encoding/bytes.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { HASH_SIZE, nodeHash } from './tree-hashing.js';
import { assertTreeInteger, isOdd, shiftRight } from './tree-size-math.js';

/**
 * Inclusion proofs, verified exactly as RFC 9162 section 2.1.3.2 writes the algorithm: the leaf index must be
 * below the tree size, every proof hash is consumed, none is left over, and the pairs are never sorted (the
 * position of each sibling follows from the index alone).
 */
export interface InclusionProofInput {
  /** Attacker-controlled (it comes from a bundle or a server). */
  readonly index: number;
  /** Attacker-controlled. */
  readonly size: number;
  /** The leaf hash the verifier computed itself from the entry bytes. */
  readonly leafHash: Uint8Array;
  /** Attacker-controlled. */
  readonly proof: readonly Uint8Array[];
}

export interface VerifyInclusionInput extends InclusionProofInput {
  /** The root of a checkpoint whose signature the verifier already checked. */
  readonly root: Uint8Array;
}

function fail(message: string, details: Record<string, unknown>): never {
  throw new ProofFormatError('E_INCLUSION_PROOF', message, { details });
}

/**
 * The number of hashes in the inclusion proof of leaf `index` in a tree of `size` leaves: the number of
 * iterations of RFC 9162 section 2.1.3.2 step 4 before `sn` reaches 0 (the algorithm is independent of the
 * hash values, so it can be run on the indices alone).
 */
export function inclusionProofLength(index: number, size: number): number {
  assertTreeInteger(index, 'leaf index');
  assertTreeInteger(size, 'tree size');
  if (index >= size) {
    throw new ProofFormatError('E_TREE_ARGUMENT', 'leaf index must be smaller than the tree size', {
      details: { index, size },
    });
  }
  let fn = index;
  let sn = size - 1;
  let length = 0;
  while (sn !== 0) {
    if (isOdd(fn) || fn === sn) {
      while (!isOdd(fn) && fn !== 0) {
        fn = shiftRight(fn);
        sn = shiftRight(sn);
      }
    }
    fn = shiftRight(fn);
    sn = shiftRight(sn);
    length += 1;
  }
  return length;
}

/**
 * RFC 9162 section 2.1.3.2 steps 1-5 up to the computed root: throws `E_INCLUSION_PROOF` when the index is
 * out of range or the proof has the wrong number of hashes or a hash of the wrong size.
 */
export function rootFromInclusionProof(input: InclusionProofInput): Uint8Array {
  const { index, size, leafHash, proof } = input;
  if (!Number.isSafeInteger(index) || index < 0 || !Number.isSafeInteger(size) || size < 0) {
    fail('leaf index and tree size must be non-negative safe integers', { index, size });
  }
  // Step 1: leaf_index >= tree_size fails.
  if (index >= size) fail(`leaf index ${index} is not below the tree size ${size}`, { index, size });
  if (leafHash.length !== HASH_SIZE) fail('the leaf hash must be 32 bytes', { length: leafHash.length });
  const expected = inclusionProofLength(index, size);
  if (proof.length !== expected) {
    fail(`the proof has ${proof.length} hashes, a proof for leaf ${index} of ${size} has ${expected}`, {
      index,
      size,
      length: proof.length,
      expected,
    });
  }
  // Step 2.
  let fn = index;
  let sn = size - 1;
  // Step 3.
  let r = leafHash;
  // Step 4.
  for (const [position, p] of proof.entries()) {
    if (p.length !== HASH_SIZE) fail(`proof hash ${position} is not 32 bytes`, { position, length: p.length });
    // 4a. (Unreachable after the length check above; kept so the loop is the RFC's, line by line.)
    if (sn === 0) fail('the proof has more hashes than the tree has levels', { position });
    if (isOdd(fn) || fn === sn) {
      // 4b.i
      r = nodeHash(p, r);
      // 4b.ii
      while (!isOdd(fn) && fn !== 0) {
        fn = shiftRight(fn);
        sn = shiftRight(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    // 4c
    fn = shiftRight(fn);
    sn = shiftRight(sn);
  }
  // Step 5 (first half): every level consumed.
  if (sn !== 0) fail('the proof has fewer hashes than the tree has levels', { index, size });
  return r;
}

/** RFC 9162 section 2.1.3.2 in full: throws `E_INCLUSION_PROOF` unless the proof leads to `root`. */
export function verifyInclusionProof(input: VerifyInclusionInput): void {
  const computed = rootFromInclusionProof(input);
  if (input.root.length !== HASH_SIZE || !bytesEqual(computed, input.root)) {
    fail(`the proof for leaf ${input.index} does not lead to the root of the tree of size ${input.size}`, {
      index: input.index,
      size: input.size,
    });
  }
}
