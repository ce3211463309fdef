/**
 * Test support: a real signed checkpoint (proof-formats' C2SP note API, Ed25519) and the checkpoint job the
 * gateway would enqueue for it.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  CHECKPOINT_JOB_FORMAT,
  anchorResultsQueueName,
  checkpointBodyOf,
  checkpointDigestHex,
  createNoteSigner,
  signCheckpoint as signCheckpointNote,
  type CheckpointJobData,
  type NoteSigner,
} from '@trialgate/proof-formats';

export type CheckpointSigner = NoteSigner & { readonly origin: string };

export function createCheckpointSigner(origin: string, seed: Uint8Array = randomBytes(32)): CheckpointSigner {
  return Object.assign(createNoteSigner(origin, seed), { origin });
}

export interface SignedCheckpoint {
  readonly note: string;
  readonly body: string;
  readonly digest: `0x${string}`;
  readonly job: CheckpointJobData;
}

/** Signs the checkpoint `<origin>\n<size>\n<base64 root>\n` and wraps it in the job the gateway would enqueue. */
export function signCheckpoint(signer: CheckpointSigner, treeSize: number, rootHash?: Uint8Array): SignedCheckpoint {
  const root = rootHash ?? new Uint8Array(createHash('sha256').update(`root ${signer.origin} ${treeSize}`).digest());
  const note = signCheckpointNote({ origin: signer.origin, treeSize, rootHash: root }, [signer]);
  const body = checkpointBodyOf(note);
  const digest = checkpointDigestHex(note);
  const job: CheckpointJobData = {
    format: CHECKPOINT_JOB_FORMAT,
    origin: signer.origin,
    treeSize,
    note,
    digest,
    resultsQueue: anchorResultsQueueName(signer.origin),
  };
  return { note, body, digest, job };
}
