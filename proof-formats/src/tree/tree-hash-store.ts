/**
 * Where an incremental RFC 9162 tree keeps its hashes.
 *
 * The store holds the hash of every *perfect* subtree that the leaves appended so far have completed: at
 * `level` 0 the leaf hashes, at `level` k the hash of the 2^k leaves starting at leaf `index * 2^k`. These
 * nodes never change once written (the log is append-only), so any root, inclusion proof or consistency
 * proof for any tree size up to `leafCount()` is computed from O(log n) stored nodes, never by a rebuild.
 *
 * Reads are synchronous on purpose: the gateway's file-backed store answers from the page cache with a
 * positioned read of 32 bytes, and proofs stay plain functions.
 *
 * Adapters: `MemoryTreeHashStore` (proof-formats, tests and small trees) and the gateway's file-backed store.
 * Both run the same contract test suite.
 */
export interface TreeNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

export interface TreeHashStore {
  /** Number of leaves whose hashes are stored (the largest tree size the store can answer for). */
  leafCount(): number;
  /** Number of nodes stored at `level` (equals floor(leafCount / 2^level) once writes are complete). */
  nodeCount(level: number): number;
  /** The stored hash of the perfect subtree (level, index); throws a TrialgateError if it is not stored. */
  readNode(level: number, index: number): Uint8Array;
  /**
   * Appends nodes. Within one call nodes come ordered so that each node's `index` equals the number of nodes
   * already stored at its level, and a level-k node comes after the two level-(k-1) nodes it covers.
   */
  writeNodes(nodes: readonly TreeNode[]): void;
}
