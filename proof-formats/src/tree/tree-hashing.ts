import { createHash, hash } from 'node:crypto';
import { ProofFormatError } from '../errors/proof-format-error.js';

/**
 * RFC 9162 section 2.1.1 with SHA-256 (spec section 5): the leaf hash is `SHA-256(0x00 || entry)`, an
 * interior node is `SHA-256(0x01 || left || right)`, the empty tree's root is `SHA-256("")`. The prefixes keep
 * a leaf from ever passing for an interior node (second-preimage resistance, RFC 9162 section 2.1.1).
 *
 * Speed: the gateway hashes every entry it appends and a sponsor's verifier every entry it is given, so the
 * input is assembled in a reused buffer and hashed with the one-shot `crypto.hash` (Node >= 20.12), about twice
 * as fast as a `createHash` object per hash (bench/suites/tree.ts). Both are synchronous, so the buffers are
 * never shared between two hashes; each thread has its own module state.
 */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);

/** Entries up to this size are hashed through the reused buffer; larger ones (rare) stream into a Hash. */
const LEAF_SCRATCH_MAX = 64 * 1024;

const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;
let leafInput = Buffer.alloc(1024);

function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** MTH({}) = SHA-256() = e3b0c442...b855. */
export const EMPTY_TREE_ROOT: Uint8Array = view(createHash('sha256').digest());

/** MTH({d(0)}) = SHA-256(0x00 || d(0)): the hash of one log entry's stored bytes, exactly as given. */
export function leafHash(entryBytes: Uint8Array): Uint8Array {
  const length = entryBytes.length + 1;
  if (length > LEAF_SCRATCH_MAX) return view(createHash('sha256').update(LEAF_PREFIX).update(entryBytes).digest());
  if (leafInput.length < length) leafInput = Buffer.alloc(Math.min(LEAF_SCRATCH_MAX, 2 ** Math.ceil(Math.log2(length))));
  leafInput[0] = 0x00;
  leafInput.set(entryBytes, 1);
  return view(hash('sha256', leafInput.subarray(0, length), 'buffer'));
}

/** SHA-256(0x01 || left || right). Both must be 32-byte hashes; the pair is never sorted. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new ProofFormatError('E_TREE_ARGUMENT', `tree hashes are ${HASH_SIZE} bytes`, {
      details: { left: left.length, right: right.length },
    });
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return view(hash('sha256', nodeInput, 'buffer'));
}
