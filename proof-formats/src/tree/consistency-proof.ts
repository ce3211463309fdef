import { bytesEqual } from '../encoding/bytes.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { HASH_SIZE, nodeHash } from './tree-hashing.js';
import { assertTreeInteger, isOdd, isPowerOfTwo, shiftRight } from './tree-size-math.js';

/**
 * Consistency proofs, verified exactly as RFC 9162 section 2.1.4.2 writes the algorithm. Two cases the
 * algorithm does not cover are decided here, and documented in docs/proof-formats.md:
 * - `fromSize` 0 is rejected (spec section 5): an empty tree proves nothing, and RFC 9162 defines
 *   PROOF(m, D[n]) only for 0 < m.
 * - `fromSize` equal to `toSize`: RFC 9162 section 2.1.4.1 gives SUBPROOF(m, D[m], true) = {}, so the proof
 *   must be empty and the two roots equal.
 */
export interface ConsistencyProofInput {
  /** Attacker-controlled. */
  readonly fromSize: number;
  /** Attacker-controlled. */
  readonly toSize: number;
  /** Attacker-controlled. */
  readonly proof: readonly Uint8Array[];
}

export interface VerifyConsistencyInput extends ConsistencyProofInput {
  /** Roots of two checkpoints whose signatures the verifier already checked. */
  readonly fromRoot: Uint8Array;
  readonly toRoot: Uint8Array;
}

function fail(message: string, details: Record<string, unknown>): never {
  throw new ProofFormatError('E_CONSISTENCY_PROOF', message, { details });
}

/** The number of hashes in PROOF(fromSize, D[toSize]) for 0 < fromSize <= toSize. */
export function consistencyProofLength(fromSize: number, toSize: number): number {
  assertTreeInteger(fromSize, 'first tree size');
  assertTreeInteger(toSize, 'second tree size');
  if (fromSize === 0 || fromSize > toSize) {
    throw new ProofFormatError('E_TREE_ARGUMENT', 'a consistency proof needs 0 < first size <= second size', {
      details: { fromSize, toSize },
    });
  }
  if (fromSize === toSize) return 0;
  // Run steps 3-6 of the RFC on the sizes alone: each iteration consumes one hash.
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (isOdd(fn)) {
    fn = shiftRight(fn);
    sn = shiftRight(sn);
  }
  let iterations = 0;
  while (sn !== 0) {
    if (isOdd(fn) || fn === sn) {
      while (!isOdd(fn) && fn !== 0) {
        fn = shiftRight(fn);
        sn = shiftRight(sn);
      }
    }
    fn = shiftRight(fn);
    sn = shiftRight(sn);
    iterations += 1;
  }
  // The path walked is the first hash plus one per iteration; step 2 supplies the first hash itself when
  // fromSize is a power of two.
  return iterations + 1 - (isPowerOfTwo(fromSize) ? 1 : 0);
}

/** RFC 9162 section 2.1.4.2: throws `E_CONSISTENCY_PROOF` unless the proof links `fromRoot` to `toRoot`. */
export function verifyConsistencyProof(input: VerifyConsistencyInput): void {
  const { fromSize, toSize, proof, fromRoot, toRoot } = input;
  if (!Number.isSafeInteger(fromSize) || fromSize < 0 || !Number.isSafeInteger(toSize) || toSize < 0) {
    fail('tree sizes must be non-negative safe integers', { fromSize, toSize });
  }
  if (fromSize === 0) {
    fail('a consistency proof from an empty tree is rejected (spec section 5)', { fromSize, toSize });
  }
  if (fromSize > toSize) fail(`the first tree (${fromSize}) is larger than the second (${toSize})`, { fromSize, toSize });
  if (fromRoot.length !== HASH_SIZE || toRoot.length !== HASH_SIZE) fail('roots must be 32 bytes', {});
  for (const [position, hash] of proof.entries()) {
    if (hash.length !== HASH_SIZE) fail(`proof hash ${position} is not 32 bytes`, { position, length: hash.length });
  }
  if (fromSize === toSize) {
    if (proof.length !== 0) fail('a proof between two trees of the same size must be empty', { length: proof.length });
    if (!bytesEqual(fromRoot, toRoot)) fail(`two different roots for the same tree size ${toSize}`, { size: toSize });
    return;
  }
  const expected = consistencyProofLength(fromSize, toSize);
  // Step 1: an empty path fails (also covered by the exact length check).
  if (proof.length === 0 || proof.length !== expected) {
    fail(`the proof has ${proof.length} hashes, a proof from ${fromSize} to ${toSize} has ${expected}`, {
      fromSize,
      toSize,
      length: proof.length,
      expected,
    });
  }
  // Step 2.
  const path = isPowerOfTwo(fromSize) ? [fromRoot, ...proof] : [...proof];
  // Step 3.
  let fn = fromSize - 1;
  let sn = toSize - 1;
  // Step 4.
  while (isOdd(fn)) {
    fn = shiftRight(fn);
    sn = shiftRight(sn);
  }
  // Step 5.
  const [first, ...rest] = path;
  if (first === undefined) fail('empty consistency path', {});
  let fr = first;
  let sr = first;
  // Step 6.
  for (const c of rest) {
    // 6a. (Unreachable after the length check; kept so the loop is the RFC's, line by line.)
    if (sn === 0) fail('the proof has more hashes than needed', { fromSize, toSize });
    if (isOdd(fn) || fn === sn) {
      // 6b.i, 6b.ii
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      // 6b.iii
      while (!isOdd(fn) && fn !== 0) {
        fn = shiftRight(fn);
        sn = shiftRight(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    // 6c.
    fn = shiftRight(fn);
    sn = shiftRight(sn);
  }
  // Step 7.
  if (sn !== 0) fail('the proof has fewer hashes than needed', { fromSize, toSize });
  if (!bytesEqual(fr, fromRoot)) {
    fail(`the proof does not reproduce the root of the tree of size ${fromSize}`, { fromSize, toSize });
  }
  if (!bytesEqual(sr, toRoot)) {
    fail(`the proof does not reproduce the root of the tree of size ${toSize}`, { fromSize, toSize });
  }
}
