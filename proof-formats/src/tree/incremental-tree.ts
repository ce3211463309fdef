import { ProofFormatError } from '../errors/proof-format-error.js';
import {
  consistencyProofFromStore,
  inclusionProofFromStore,
  leafHashFromStore,
  rootFromStore,
} from './stored-tree-proofs.js';
import { HASH_SIZE, leafHash as hashLeaf, nodeHash } from './tree-hashing.js';
import type { TreeHashStore, TreeNode } from './tree-hash-store.js';
import { isOdd } from './tree-size-math.js';

/**
 * An append-only RFC 9162 tree over a `TreeHashStore`.
 *
 * In memory it keeps only the "frontier": for each set bit k of the tree size, the hash of the perfect
 * subtree of 2^k leaves on the right edge, which is all an append needs to complete new parents (O(log n)
 * hashes whatever the size). Every completed node goes to the store, so roots and proofs for any size up to
 * the current one are read from O(log n) stored nodes (`stored-tree-proofs.ts`), and reopening over a store
 * that already holds a tree costs O(log n) reads, not a rebuild.
 */
export class IncrementalTree {
  readonly #store: TreeHashStore;
  #size: number;
  /** `#frontier[k]` is set exactly when bit k of `#size` is set. */
  readonly #frontier: (Uint8Array | undefined)[];

  private constructor(store: TreeHashStore, size: number, frontier: (Uint8Array | undefined)[]) {
    this.#store = store;
    this.#size = size;
    this.#frontier = frontier;
  }

  /**
   * Opens the tree over `store`, empty or not. If a crash interrupted a `writeNodes` call of an adapter that
   * is not atomic, interior nodes may be missing above the stored leaves: they are recomputed from their
   * children and written (the leaves are the source of truth). A store with more interior nodes than its
   * leaves allow is corrupt and refused with `E_TREE_STORE`.
   */
  static open(store: TreeHashStore): IncrementalTree {
    const size = store.leafCount();
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ProofFormatError('E_TREE_STORE', 'the store reports an invalid leaf count', { details: { size } });
    }
    for (let level = 1, expected = Math.floor(size / 2); ; level++, expected = Math.floor(expected / 2)) {
      const stored = store.nodeCount(level);
      if (stored > expected) {
        throw new ProofFormatError('E_TREE_STORE', `the store holds ${stored} nodes at level ${level}, at most ${expected} can exist`, {
          details: { level, stored, expected },
        });
      }
      if (stored < expected) {
        const repairs: TreeNode[] = [];
        for (let index = stored; index < expected; index++) {
          const left = store.readNode(level - 1, 2 * index);
          const right = store.readNode(level - 1, 2 * index + 1);
          repairs.push({ level, index, hash: nodeHash(left, right) });
        }
        store.writeNodes(repairs);
      }
      if (expected === 0) break;
    }
    const frontier: (Uint8Array | undefined)[] = [];
    for (let level = 0, rest = size; rest > 0; level++, rest = Math.floor(rest / 2)) {
      frontier.push(isOdd(rest) ? store.readNode(level, rest - 1) : undefined);
    }
    return new IncrementalTree(store, size, frontier);
  }

  /** The number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends the hash of one leaf; returns its index. */
  appendLeafHash(hash: Uint8Array): number {
    return this.appendLeafHashes([hash]);
  }

  /** Appends the leaf hash of each entry's stored bytes (`SHA-256(0x00 || entry)`); returns the first index. */
  appendEntries(entries: readonly Uint8Array[]): number {
    return this.appendLeafHashes(entries.map((entry) => hashLeaf(entry)));
  }

  /**
   * Appends leaf hashes in one `writeNodes` call (the gateway calls this once per group commit); returns the
   * index of the first. Nodes are emitted in the order the store's contract asks for.
   */
  appendLeafHashes(hashes: readonly Uint8Array[]): number {
    const first = this.#size;
    const nodes: TreeNode[] = [];
    // Work on a copy so that a store that refuses the batch leaves this tree unchanged.
    const frontier = [...this.#frontier];
    let size = this.#size;
    for (const hash of hashes) {
      if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
        throw new ProofFormatError('E_TREE_ARGUMENT', 'a leaf hash is 32 bytes');
      }
      let current: Uint8Array = Uint8Array.from(hash);
      let index = size;
      let level = 0;
      nodes.push({ level, index, hash: current });
      while (isOdd(index)) {
        const left = frontier[level];
        if (left === undefined) throw new ProofFormatError('E_TREE_STORE', 'tree frontier is inconsistent');
        frontier[level] = undefined;
        current = nodeHash(left, current);
        index = (index - 1) / 2;
        level += 1;
        nodes.push({ level, index, hash: current });
      }
      frontier[level] = current;
      size += 1;
    }
    this.#store.writeNodes(nodes);
    this.#size = size;
    this.#frontier.length = 0;
    this.#frontier.push(...frontier);
    return first;
  }

  /** The stored leaf hash at `index`. */
  leafHash(index: number): Uint8Array {
    this.#checkSize(index + 1);
    return leafHashFromStore(this.#store, index);
  }

  /** The root of the tree of the first `size` leaves (default: all). */
  root(size: number = this.#size): Uint8Array {
    this.#checkSize(size);
    return rootFromStore(this.#store, size);
  }

  /** The inclusion proof of leaf `index` in the tree of the first `size` leaves (RFC 9162 section 2.1.3.1). */
  inclusionProof(index: number, size: number = this.#size): Uint8Array[] {
    this.#checkSize(size);
    return inclusionProofFromStore(this.#store, index, size);
  }

  /** The consistency proof from `fromSize` to `toSize` leaves (RFC 9162 section 2.1.4.1), 0 < from <= to. */
  consistencyProof(fromSize: number, toSize: number = this.#size): Uint8Array[] {
    this.#checkSize(toSize);
    return consistencyProofFromStore(this.#store, fromSize, toSize);
  }

  #checkSize(size: number): void {
    if (Number.isSafeInteger(size) && size > this.#size) {
      throw new ProofFormatError('E_TREE_ARGUMENT', `tree size ${size} is beyond the ${this.#size} appended leaves`, {
        details: { size, appended: this.#size },
      });
    }
  }
}
