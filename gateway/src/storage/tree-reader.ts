/**
 * Reading the stored tree: roots and proofs for any size up to the log's (committed) size, each O(log n)
 * positioned reads of the level files (proof-formats `stored-tree-proofs`). The same interface serves the
 * running gateway (over its live store) and read-only views (export, CLI lists) of a running gateway's data.
 */
import {
  consistencyProofFromStore,
  inclusionProofFromStore,
  leafHashFromStore,
  rootFromStore,
  type TreeNodeReader,
} from '@trialgate/proof-formats';
import { StorageError } from './storage-error.js';

export interface TreeReader {
  /** Leaves readable now (the log's committed size). */
  size(): number;
  root(size: number): Uint8Array;
  leafHash(index: number): Uint8Array;
  inclusionProof(index: number, size: number): Uint8Array[];
  consistencyProof(fromSize: number, toSize: number): Uint8Array[];
}

export function treeReaderOver(store: TreeNodeReader, size: () => number): TreeReader {
  const within = (treeSize: number): void => {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > size()) {
      throw new StorageError('E_STORAGE_INDEX_RANGE', `tree size ${treeSize} is beyond the log (${size()} entries)`, {
        details: { treeSize, size: size() },
      });
    }
  };
  return {
    size,
    root: (treeSize) => {
      within(treeSize);
      return rootFromStore(store, treeSize);
    },
    leafHash: (index) => {
      within(index + 1);
      return leafHashFromStore(store, index);
    },
    inclusionProof: (index, treeSize) => {
      within(treeSize);
      return inclusionProofFromStore(store, index, treeSize);
    },
    consistencyProof: (fromSize, toSize) => {
      within(toSize);
      return consistencyProofFromStore(store, fromSize, toSize);
    },
  };
}
