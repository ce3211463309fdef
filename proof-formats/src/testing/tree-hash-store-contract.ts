import { isTrialgateError } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { IncrementalTree } from '../tree/incremental-tree.js';
import type { TreeHashStore } from '../tree/tree-hash-store.js';
import { leafHash } from '../tree/tree-hashing.js';
import { referenceConsistencyProof, referenceInclusionProof, referenceRoot } from './reference-merkle-tree.js';

/**
 * The contract every `TreeHashStore` adapter passes: the memory store here, the gateway's file-backed store
 * there (STYLE.md: "a contract test suite runs against every adapter of a port, so fakes cannot drift").
 *
 * Usage, in the adapter's own test file:
 *
 *     describeTreeHashStoreContract('FileTreeHashStore', {
 *       create: () => FileTreeHashStore.open(freshDir()),
 *       reopen: (store) => { store.close(); return FileTreeHashStore.open(store.dir); },
 *     });
 */
export interface TreeHashStoreContractOptions<S extends TreeHashStore = TreeHashStore> {
  /** A new, empty store. */
  readonly create: () => S | Promise<S>;
  /** Closes `store` and opens its storage again (persistence across restarts); omit for memory-only stores. */
  readonly reopen?: (store: S) => S | Promise<S>;
  /** Releases a store after a test (close files, remove directories). */
  readonly dispose?: (store: S) => void | Promise<void>;
  /** Leaves in the larger scenarios (default 200). */
  readonly leaves?: number;
}

function entry(i: number): Uint8Array {
  return new TextEncoder().encode(`contract entry ${i}`);
}

function expectTrialgateError(action: () => unknown): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a TrialgateError').toBeDefined();
  expect(isTrialgateError(thrown), `expected a TrialgateError, got ${String(thrown)}`).toBe(true);
}

function hashOf(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

export function describeTreeHashStoreContract<S extends TreeHashStore>(
  name: string,
  options: TreeHashStoreContractOptions<S>,
): void {
  const leafTotal = options.leaves ?? 200;

  async function withStore(body: (store: S) => Promise<S | void> | S | void): Promise<void> {
    const store = await options.create();
    let current: S = store;
    try {
      const replaced = await body(store);
      if (replaced !== undefined) current = replaced;
    } finally {
      await options.dispose?.(current);
    }
  }

  describe(`TreeHashStore contract: ${name}`, () => {
    it('starts empty: no leaves, no nodes, and reading any node throws a TrialgateError', async () => {
      await withStore((store) => {
        expect(store.leafCount()).toBe(0);
        for (let level = 0; level < 8; level++) expect(store.nodeCount(level)).toBe(0);
        expectTrialgateError(() => store.readNode(0, 0));
      });
    });

    it('returns every node written, byte for byte, and counts nodes per level', async () => {
      await withStore((store) => {
        store.writeNodes([
          { level: 0, index: 0, hash: hashOf(1) },
          { level: 0, index: 1, hash: hashOf(2) },
          { level: 1, index: 0, hash: hashOf(3) },
          { level: 0, index: 2, hash: hashOf(4) },
        ]);
        expect(store.leafCount()).toBe(3);
        expect(store.nodeCount(0)).toBe(3);
        expect(store.nodeCount(1)).toBe(1);
        expect(store.nodeCount(2)).toBe(0);
        expect(Array.from(store.readNode(0, 0))).toEqual(Array.from(hashOf(1)));
        expect(Array.from(store.readNode(0, 1))).toEqual(Array.from(hashOf(2)));
        expect(Array.from(store.readNode(1, 0))).toEqual(Array.from(hashOf(3)));
        expect(Array.from(store.readNode(0, 2))).toEqual(Array.from(hashOf(4)));
      });
    });

    it('keeps its own copy: mutating a written or a returned array changes nothing stored', async () => {
      await withStore((store) => {
        const written = hashOf(7);
        store.writeNodes([{ level: 0, index: 0, hash: written }]);
        written.fill(0);
        const read = store.readNode(0, 0);
        expect(Array.from(read)).toEqual(Array.from(hashOf(7)));
        read.fill(9);
        expect(Array.from(store.readNode(0, 0))).toEqual(Array.from(hashOf(7)));
      });
    });

    it('throws a TrialgateError for nodes that are not stored (past the end, negative, unknown level)', async () => {
      await withStore((store) => {
        store.writeNodes([{ level: 0, index: 0, hash: hashOf(1) }]);
        expectTrialgateError(() => store.readNode(0, 1));
        expectTrialgateError(() => store.readNode(0, -1));
        expectTrialgateError(() => store.readNode(1, 0));
        expectTrialgateError(() => store.readNode(40, 0));
      });
    });

    it('refuses a batch that would leave a hole, and then stores nothing of that batch', async () => {
      await withStore((store) => {
        store.writeNodes([{ level: 0, index: 0, hash: hashOf(1) }]);
        expectTrialgateError(() =>
          store.writeNodes([
            { level: 0, index: 1, hash: hashOf(2) },
            { level: 0, index: 3, hash: hashOf(3) },
          ]),
        );
        expect(store.leafCount()).toBe(1);
        expectTrialgateError(() => store.readNode(0, 1));
      });
    });

    it('refuses a parent before its two children, and hashes that are not 32 bytes', async () => {
      await withStore((store) => {
        store.writeNodes([{ level: 0, index: 0, hash: hashOf(1) }]);
        expectTrialgateError(() => store.writeNodes([{ level: 1, index: 0, hash: hashOf(2) }]));
        expectTrialgateError(() => store.writeNodes([{ level: 0, index: 1, hash: new Uint8Array(31) }]));
        expect(store.leafCount()).toBe(1);
        expect(store.nodeCount(1)).toBe(0);
      });
    });

    it('serves an IncrementalTree whose roots and proofs equal the RFC 9162 reference at every size', async () => {
      await withStore((store) => {
        const tree = IncrementalTree.open(store);
        const leaves: Uint8Array[] = [];
        for (let i = 0; i < 40; i++) {
          leaves.push(entry(i));
          tree.appendEntries([entry(i)]);
        }
        for (let size = 0; size <= leaves.length; size++) {
          const prefix = leaves.slice(0, size);
          expect(tree.root(size)).toEqual(referenceRoot(prefix));
          for (let index = 0; index < size; index++) {
            expect(tree.inclusionProof(index, size)).toEqual(referenceInclusionProof(index, prefix));
          }
          for (let from = 1; from <= size; from++) {
            expect(tree.consistencyProof(from, size)).toEqual(referenceConsistencyProof(from, prefix));
          }
        }
      });
    });

    it('takes a large batch in one writeNodes call, as a group commit does', async () => {
      await withStore((store) => {
        const tree = IncrementalTree.open(store);
        const leaves = Array.from({ length: leafTotal }, (_, i) => entry(i));
        expect(tree.appendLeafHashes(leaves.map((leaf) => leafHash(leaf)))).toBe(0);
        expect(store.leafCount()).toBe(leafTotal);
        for (let level = 0; level < 10; level++) {
          expect(store.nodeCount(level)).toBe(Math.floor(leafTotal / 2 ** level));
        }
        expect(tree.root()).toEqual(referenceRoot(leaves));
      });
    });

    if (options.reopen !== undefined) {
      const reopen = options.reopen;
      it('keeps every node across a reopen, and a reopened tree continues exactly where it was', async () => {
        await withStore(async (store) => {
          const leaves = Array.from({ length: leafTotal }, (_, i) => entry(i));
          const half = Math.floor(leafTotal / 2) + 1;
          const first = IncrementalTree.open(store);
          for (const leaf of leaves.slice(0, half)) first.appendEntries([leaf]);
          const rootBefore = first.root();

          const reopened = await reopen(store);
          expect(reopened.leafCount()).toBe(half);
          const tree = IncrementalTree.open(reopened);
          expect(tree.size).toBe(half);
          expect(tree.root()).toEqual(rootBefore);
          tree.appendEntries(leaves.slice(half));
          expect(tree.root()).toEqual(referenceRoot(leaves));
          expect(tree.inclusionProof(3, half)).toEqual(referenceInclusionProof(3, leaves.slice(0, half)));
          expect(tree.consistencyProof(half)).toEqual(referenceConsistencyProof(half, leaves));
          return reopened;
        });
      });
    }
  });
}
