/**
 * Decodes and checks a checkpoint job taken off the queue (the gateway's side of the hand-off is
 * `CheckpointJobData` in proof-formats). The digest is what goes on chain for years, so the service anchors
 * nothing it has not recomputed: the digest must be SHA-256 of the note's body (spec section 6), and the body
 * must be the checkpoint of the job's origin and tree size (spec section 5, C2SP tlog-checkpoint, parsed by
 * proof-formats). When the site pins its gateways' verifier keys (`--gateway-key`), the note must also be
 * signed by the pinned key named after its origin (C2SP tlog-checkpoint: the log's key name is the origin),
 * so that whoever can write to Redis cannot have a fabricated checkpoint anchored, nor supersede the real
 * ones with a larger tree size. Without pinned keys the signature is left to the sponsor's verifier.
 */
import {
  CHECKPOINT_JOB_FORMAT,
  anchorResultsQueueName,
  checkpointBodyOf,
  checkpointDigestHex,
  openNote,
  parseCheckpointBody,
  type CheckpointJobData,
  type NoteVerifier,
} from '@trialgate/proof-formats';
import { AnchorError } from '../errors/anchor-error.js';

/** Lower-case 0x-prefixed hex of a 32-byte SHA-256 digest. */
export type Digest = `0x${string}`;

/** A signed note this large is not a checkpoint (three short lines and a few signature lines). */
const MAX_NOTE_CHARS = 64 * 1024;

/**
 * The origin as the gateway accepts it: printable ASCII without space and '+', since it is also the note's
 * key name (C2SP signed-note) and must be one unambiguous token.
 */
const ORIGIN_PATTERN = /^[\x21-\x2A\x2C-\x7E]{1,255}$/;
const DIGEST_PATTERN = /^0x[0-9a-fA-F]{64}$/;

export interface CheckpointJob extends CheckpointJobData {
  readonly digest: Digest;
}

/**
 * Attacker-controlled: job data comes out of Redis, written by whoever can reach it. Every field is checked
 * and nothing beyond the contract's fields is kept; throws only `AnchorError`
 * (E_ANCHORING_JOB_INVALID, E_ANCHORING_DIGEST_MISMATCH).
 */
export interface DecodeCheckpointJobOptions {
  /** Pinned gateway verifier keys; when non-empty, the note must verify under the one named after its origin. */
  readonly trustedKeys?: readonly NoteVerifier[];
}

export function decodeCheckpointJob(data: unknown, options: DecodeCheckpointJobOptions = {}): CheckpointJob {
  const invalid = (reason: string): never => {
    throw new AnchorError('E_ANCHORING_JOB_INVALID', `checkpoint job is invalid: ${reason}`, { details: { reason } });
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return invalid('not an object');
  const record = data as Readonly<Record<string, unknown>>;
  if (record['format'] !== CHECKPOINT_JOB_FORMAT) return invalid(`format is not ${CHECKPOINT_JOB_FORMAT}`);
  const { origin, treeSize, note, digest, resultsQueue } = record;
  if (typeof origin !== 'string' || !ORIGIN_PATTERN.test(origin)) return invalid('origin is not a log origin');
  if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 0) {
    return invalid('treeSize is not a whole number >= 0');
  }
  if (typeof note !== 'string' || note.length > MAX_NOTE_CHARS) return invalid('note is not a signed note');
  if (typeof digest !== 'string' || !DIGEST_PATTERN.test(digest)) return invalid('digest is not 0x and 64 hex digits');
  if (resultsQueue !== anchorResultsQueueName(origin)) return invalid("resultsQueue is not the origin's results queue");
  // A signed note has a blank line before its signatures; a bare body would be anchored without one.
  if (!note.includes('\n\n')) return invalid('note has no blank line before its signatures');

  let body: string;
  let checkpoint: { readonly origin: string; readonly treeSize: number };
  try {
    body = checkpointBodyOf(note);
    checkpoint = parseCheckpointBody(body);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : 'malformed checkpoint';
    throw new AnchorError('E_ANCHORING_JOB_INVALID', `checkpoint job is invalid: ${reason}`, { details: { reason } });
  }
  if (checkpoint.origin !== origin) return invalid('note origin differs from the job origin');
  if (checkpoint.treeSize !== treeSize) return invalid('note tree size differs from the job treeSize');

  const trusted = options.trustedKeys ?? [];
  if (trusted.length > 0) {
    const keys = trusted.filter((key) => key.name === origin);
    try {
      if (keys.length === 0) throw new Error('no pinned key for this origin');
      openNote(note, keys);
    } catch (cause) {
      throw new AnchorError('E_ANCHORING_NOTE_UNVERIFIED', `checkpoint ${treeSize} of ${origin} is not signed by a pinned gateway key`, {
        cause,
        details: { origin, treeSize, reason: cause instanceof Error ? cause.message : String(cause) },
      });
    }
  }

  const computed = checkpointDigestHex(body);
  const normalised = digest.toLowerCase() as Digest;
  if (computed !== normalised) {
    throw new AnchorError('E_ANCHORING_DIGEST_MISMATCH', 'checkpoint job digest is not SHA-256 of the note body', {
      details: { origin, treeSize, digest: normalised, computed },
    });
  }
  return { format: CHECKPOINT_JOB_FORMAT, origin, treeSize, note, digest: normalised, resultsQueue };
}
