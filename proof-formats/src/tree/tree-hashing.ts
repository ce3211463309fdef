import { createHash } from 'node:crypto';
import { ProofFormatError } from '../errors/proof-format-error.js';

/**
 * RFC 9162 section 2.1.1 with SHA-256 (spec section 5): the leaf hash is `SHA-256(0x00 || entry)`, an
 * interior node is `SHA-256(0x01 || left || right)`, the empty tree's root is `SHA-256("")`. The prefixes keep
 * a leaf from ever passing for an interior node (second-preimage resistance, RFC 9162 section 2.1.1).
 */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

function digest(hash: ReturnType<typeof createHash>): Uint8Array {
  const out = hash.digest();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** MTH({}) = SHA-256() = e3b0c442...b855. */
export const EMPTY_TREE_ROOT: Uint8Array = digest(createHash('sha256'));

/** MTH({d(0)}) = SHA-256(0x00 || d(0)): the hash of one log entry's stored bytes, exactly as given. */
export function leafHash(entryBytes: Uint8Array): Uint8Array {
  return digest(createHash('sha256').update(LEAF_PREFIX).update(entryBytes));
}

/** SHA-256(0x01 || left || right). Both must be 32-byte hashes; the pair is never sorted. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new ProofFormatError('E_TREE_ARGUMENT', `tree hashes are ${HASH_SIZE} bytes`, {
      details: { left: left.length, right: right.length },
    });
  }
  return digest(createHash('sha256').update(NODE_PREFIX).update(left).update(right));
}
