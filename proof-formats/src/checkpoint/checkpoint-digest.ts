import { sha256 } from '../crypto/sha256.js';
import { toHex, utf8 } from '../encoding/bytes.js';
import { ProofFormatError } from '../errors/proof-format-error.js';

/**
 * The anchored digest (spec section 6): SHA-256 of the checkpoint body, "the note text up to and including
 * the last newline before the blank line". Accepts a whole signed note or a bare body: a checkpoint body has
 * no blank line, so text containing one is a signed note and is cut at its last blank line, exactly as a
 * signed-note parser separates text from signatures.
 */
export function checkpointBodyOf(noteTextOrBody: string): string {
  if (typeof noteTextOrBody !== 'string' || !noteTextOrBody.endsWith('\n')) {
    throw new ProofFormatError('E_CHECKPOINT_MALFORMED', 'a checkpoint body or note ends with a newline');
  }
  const split = noteTextOrBody.lastIndexOf('\n\n');
  return split < 0 ? noteTextOrBody : noteTextOrBody.slice(0, split + 1);
}

export function checkpointDigest(noteTextOrBody: string): Uint8Array {
  return sha256(utf8(checkpointBodyOf(noteTextOrBody)));
}

/** The digest as 0x-prefixed hex, the form the anchor queue and the chain use. */
export function checkpointDigestHex(noteTextOrBody: string): `0x${string}` {
  return `0x${toHex(checkpointDigest(noteTextOrBody))}`;
}
