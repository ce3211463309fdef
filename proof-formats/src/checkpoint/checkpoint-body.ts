import { decodeBase64, encodeBase64 } from '../encoding/canonical-base64.js';
import { hasControlCharacter, isWellFormedText } from '../encoding/text-checks.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { HASH_SIZE } from '../tree/tree-hashing.js';

/**
 * A checkpoint body (C2SP tlog-checkpoint; spec section 5): exactly three lines,
 * `<origin>\n<tree size>\n<base64 root hash>\n`, and no extension lines (our spec forbids them).
 */
export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
}

function malformed(why: string): never {
  throw new ProofFormatError('E_CHECKPOINT_MALFORMED', `malformed checkpoint: ${why}`);
}

/** C2SP: "the ASCII decimal representation ... with no leading zeroes (unless the tree is empty)". */
const TREE_SIZE = /^(?:0|[1-9][0-9]*)$/;

function checkOrigin(origin: string): void {
  if (typeof origin !== 'string' || origin.length === 0) malformed('the origin must be non-empty');
  if (!isWellFormedText(origin) || hasControlCharacter(origin, false)) malformed('the origin contains a control character');
}

export function formatCheckpointBody(checkpoint: Checkpoint): string {
  const { origin, treeSize, rootHash } = checkpoint;
  checkOrigin(origin);
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) malformed('the tree size must be a non-negative safe integer');
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== HASH_SIZE) malformed('the root hash must be 32 bytes');
  return `${origin}\n${treeSize}\n${encodeBase64(rootHash)}\n`;
}

/**
 * Attacker-controlled: the body of a note whose signature was already verified (parse only verified text:
 * C2SP says the text MUST be ignored otherwise). Strict: exactly three non-empty lines, a decimal size
 * without leading zeros that fits a safe integer, canonical base64 of 32 bytes, no extension lines.
 */
export function parseCheckpointBody(body: string): Checkpoint {
  if (typeof body !== 'string' || !body.endsWith('\n')) malformed('the body must end with a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) malformed('expected three lines: origin, tree size, root hash');
  if (lines.length > 3) malformed('extension lines are not allowed');
  const [origin = '', size = '', root = ''] = lines;
  checkOrigin(origin);
  if (!TREE_SIZE.test(size)) malformed('the tree size must be decimal digits without leading zeros');
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) malformed('the tree size is too large');
  let rootHash: Uint8Array = new Uint8Array();
  try {
    rootHash = decodeBase64(root, 'root hash', HASH_SIZE);
  } catch {
    malformed('the root hash must be canonical base64 of 32 bytes');
  }
  return { origin, treeSize, rootHash };
}
