import { parseCheckpointBody } from '../checkpoint/checkpoint-body.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { splitNote } from '../note/signed-note.js';
import { consistencyProofFromStore, inclusionProofFromStore } from '../tree/stored-tree-proofs.js';
import type { TreeNodeReader } from '../tree/stored-tree-proofs.js';
import { buildBundle, type BuildBundleCheckpoint, type BuildBundleDevice } from './build-bundle.js';
import type { ProofBundle } from './proof-bundle.js';

export interface AssembleBundleInput {
  readonly origin: string;
  readonly gatewayKey: string;
  readonly devices: readonly BuildBundleDevice[];
  /** Signed checkpoints in increasing tree size, each at most the tree's size. */
  readonly checkpoints: readonly BuildBundleCheckpoint[];
  /** The selected entries: log index and stored bytes. */
  readonly entries: readonly { readonly index: number; readonly entry: Uint8Array }[];
  /** The log's stored tree (the gateway's file-backed `TreeHashStore`). */
  readonly tree: TreeNodeReader;
}

/**
 * Builds a bundle with every proof computed from the stored tree: each entry is proven against the first
 * checkpoint that covers it (the earliest anchor bounds its time most tightly), and one consistency proof
 * joins each pair of consecutive checkpoints. O(log n) node reads per proof. What `trialgate export` calls.
 */
export function assembleBundle(input: AssembleBundleInput): ProofBundle {
  const sizes = input.checkpoints.map((c, i) => {
    try {
      return parseCheckpointBody(splitNote(c.note).text).treeSize;
    } catch (error) {
      throw new ProofFormatError('E_BUNDLE_BUILD', `cannot build the bundle: checkpoint ${i} is not a checkpoint note`, {
        cause: error,
      });
    }
  });
  const consistency = [];
  for (let i = 1; i < sizes.length; i++) {
    const from = sizes[i - 1] ?? 0;
    const to = sizes[i] ?? 0;
    if (from > 0 && to > from) {
      consistency.push({ fromSize: from, toSize: to, proof: consistencyProofFromStore(input.tree, from, to) });
    }
  }
  const entries = input.entries.map(({ index, entry }) => {
    const checkpoint = sizes.findIndex((size) => size > index);
    if (checkpoint < 0) {
      throw new ProofFormatError('E_BUNDLE_BUILD', `cannot build the bundle: no checkpoint covers entry ${index} yet`, {
        details: { index },
      });
    }
    return { index, entry, checkpoint, proof: inclusionProofFromStore(input.tree, index, sizes[checkpoint] ?? 0) };
  });
  return buildBundle({ ...input, consistency, entries });
}
