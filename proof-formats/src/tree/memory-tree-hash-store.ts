import { ProofFormatError } from '../errors/proof-format-error.js';
import { HASH_SIZE } from './tree-hashing.js';
import type { TreeHashStore, TreeNode } from './tree-hash-store.js';

/** Levels above 63 cannot exist in a tree of at most 2^53 leaves; refusing them bounds every loop. */
export const MAX_TREE_LEVEL = 63;

/**
 * `TreeHashStore` in memory: one growing buffer of 32-byte hashes per level (no object per node, so a
 * million leaves cost ~64 MB, not several hundred). For tests, benchmarks and small trees; it passes the same
 * contract suite as the gateway's file-backed store (`@trialgate/proof-formats/testing`).
 */
export class MemoryTreeHashStore implements TreeHashStore {
  readonly #levels: { buffer: Uint8Array; count: number }[] = [];

  leafCount(): number {
    return this.nodeCount(0);
  }

  nodeCount(level: number): number {
    if (!Number.isSafeInteger(level) || level < 0) return 0;
    return this.#levels[level]?.count ?? 0;
  }

  readNode(level: number, index: number): Uint8Array {
    const stored = Number.isSafeInteger(level) && level >= 0 ? this.#levels[level] : undefined;
    if (stored === undefined || !Number.isSafeInteger(index) || index < 0 || index >= stored.count) {
      throw new ProofFormatError('E_TREE_STORE', `tree node (${level}, ${index}) is not stored`, {
        details: { level, index },
      });
    }
    return stored.buffer.slice(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }

  writeNodes(nodes: readonly TreeNode[]): void {
    validateNodeBatch(this, nodes);
    for (const node of nodes) {
      while (this.#levels.length <= node.level) this.#levels.push({ buffer: new Uint8Array(0), count: 0 });
      const stored = this.#levels[node.level];
      if (stored === undefined) continue;
      if ((stored.count + 1) * HASH_SIZE > stored.buffer.length) {
        const grown = new Uint8Array(Math.max(64, stored.buffer.length * 2));
        grown.set(stored.buffer);
        stored.buffer = grown;
      }
      stored.buffer.set(node.hash, stored.count * HASH_SIZE);
      stored.count += 1;
    }
  }
}

/**
 * Checks a whole `writeNodes` batch before anything is written, so a rejected call stores nothing (the
 * contract of `TreeHashStore`): each node is the next at its level, its two children are stored or come
 * earlier in the batch, and its hash is 32 bytes. Exported for other adapters.
 */
export function validateNodeBatch(store: Pick<TreeHashStore, 'nodeCount'>, nodes: readonly TreeNode[]): void {
  const counts = new Map<number, number>();
  const countAt = (level: number): number => counts.get(level) ?? store.nodeCount(level);
  for (const [position, node] of nodes.entries()) {
    const { level, index, hash } = node;
    const fail = (why: string): never => {
      throw new ProofFormatError('E_TREE_STORE', `tree node ${position} of the batch (${level}, ${index}): ${why}`, {
        details: { position, level, index },
      });
    };
    if (!Number.isSafeInteger(level) || level < 0 || level > MAX_TREE_LEVEL) fail('invalid level');
    if (!Number.isSafeInteger(index) || index < 0) fail('invalid index');
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) fail('a tree hash is 32 bytes');
    const expected = countAt(level);
    if (index !== expected) fail(`expected index ${expected} at this level`);
    if (level > 0 && countAt(level - 1) < 2 * index + 2) fail('its two children are not stored yet');
    counts.set(level, expected + 1);
  }
}
