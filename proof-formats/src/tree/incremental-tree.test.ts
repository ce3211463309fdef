import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceConsistencyProof, referenceInclusionProof, referenceRoot } from '../testing/reference-merkle-tree.js';
import { IncrementalTree } from './incremental-tree.js';
import { MemoryTreeHashStore } from './memory-tree-hash-store.js';
import type { TreeHashStore, TreeNode } from './tree-hash-store.js';
import { leafHash } from './tree-hashing.js';

const entry = (i: number): Uint8Array => new TextEncoder().encode(`entry ${i}`);

/** Counts reads, to hold the O(log n) promise. */
class CountingStore implements TreeHashStore {
  reads = 0;
  readonly inner = new MemoryTreeHashStore();
  leafCount(): number {
    return this.inner.leafCount();
  }
  nodeCount(level: number): number {
    return this.inner.nodeCount(level);
  }
  readNode(level: number, index: number): Uint8Array {
    this.reads += 1;
    return this.inner.readNode(level, index);
  }
  writeNodes(nodes: readonly TreeNode[]): void {
    this.inner.writeNodes(nodes);
  }
}

describe('IncrementalTree', () => {
  it('appends one by one or in batches to the same tree', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 12 }), (batches) => {
        const tree = IncrementalTree.open(new MemoryTreeHashStore());
        const all: Uint8Array[] = [];
        for (const batch of batches) {
          const items = Array.from({ length: batch }, (_, i) => entry(all.length + i));
          expect(tree.appendEntries(items)).toBe(all.length);
          all.push(...items);
        }
        expect(tree.size).toBe(all.length);
        expect(tree.root()).toEqual(referenceRoot(all));
      }),
      { numRuns: 100 },
    );
  });

  it('reopens over a store that already holds hashes and continues where it was', () => {
    const store = new MemoryTreeHashStore();
    const all = Array.from({ length: 77 }, (_, i) => entry(i));
    IncrementalTree.open(store).appendEntries(all.slice(0, 45));
    const reopened = IncrementalTree.open(store);
    expect(reopened.size).toBe(45);
    reopened.appendEntries(all.slice(45));
    expect(reopened.root()).toEqual(referenceRoot(all));
    expect(reopened.inclusionProof(44, 60)).toEqual(referenceInclusionProof(44, all.slice(0, 60)));
  });

  it('recomputes interior nodes that a crash left unwritten above the stored leaves', () => {
    const store = new MemoryTreeHashStore();
    const all = Array.from({ length: 13 }, (_, i) => entry(i));
    // Only the leaves made it to storage.
    store.writeNodes(all.map((leaf, index) => ({ level: 0, index, hash: leafHash(leaf) })));
    const tree = IncrementalTree.open(store);
    expect(store.nodeCount(1)).toBe(6);
    expect(store.nodeCount(2)).toBe(3);
    expect(store.nodeCount(3)).toBe(1);
    expect(tree.root()).toEqual(referenceRoot(all));
  });

  it('refuses a store holding more interior nodes than its leaves allow', () => {
    const store = new MemoryTreeHashStore();
    const hash = new Uint8Array(32);
    store.writeNodes([
      { level: 0, index: 0, hash },
      { level: 0, index: 1, hash },
      { level: 1, index: 0, hash },
    ]);
    const liar: TreeHashStore = {
      leafCount: () => 1,
      nodeCount: (level) => store.nodeCount(level),
      readNode: (level, index) => store.readNode(level, index),
      writeNodes: (nodes) => store.writeNodes(nodes),
    };
    expect(() => IncrementalTree.open(liar)).toThrowError(/at most/);
  });

  it('reads O(log n) nodes for a root, an inclusion proof and a consistency proof, and nothing to reopen but the frontier', () => {
    const store = new CountingStore();
    const tree = IncrementalTree.open(store);
    const n = 100_003;
    const hashes = Array.from({ length: n }, (_, i) => leafHash(entry(i)));
    tree.appendLeafHashes(hashes);
    store.reads = 0;
    IncrementalTree.open(store);
    expect(store.reads).toBeLessThanOrEqual(17);
    for (const [name, action] of [
      ['root', () => tree.root(n - 7)],
      ['inclusion', () => tree.inclusionProof(54_321, n)],
      ['consistency', () => tree.consistencyProof(77_777, n - 1)],
    ] as const) {
      store.reads = 0;
      action();
      expect(store.reads, name).toBeLessThanOrEqual(2 * 17 + 2);
    }
  });

  it('answers for any size up to the appended count, and refuses beyond it', () => {
    const tree = IncrementalTree.open(new MemoryTreeHashStore());
    const all = Array.from({ length: 10 }, (_, i) => entry(i));
    tree.appendEntries(all);
    expect(tree.consistencyProof(3, 7)).toEqual(referenceConsistencyProof(3, all.slice(0, 7)));
    expect(() => tree.root(11)).toThrowError(/beyond/);
    expect(() => tree.inclusionProof(10, 10)).toThrow();
    expect(() => tree.leafHash(10)).toThrow();
  });

  it('leaves itself unchanged when the store refuses a batch', () => {
    const tree = IncrementalTree.open(new MemoryTreeHashStore());
    tree.appendEntries([entry(0)]);
    expect(() => tree.appendLeafHashes([leafHash(entry(1)), new Uint8Array(3)])).toThrow();
    expect(tree.size).toBe(1);
    tree.appendEntries([entry(1)]);
    expect(tree.root()).toEqual(referenceRoot([entry(0), entry(1)]));
  });
});
