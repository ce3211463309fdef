/**
 * A `TreeHashStore` (proof-formats) in files: one file per tree level (`tree/level-00.hashes`, ...), each a
 * plain array of 32-byte hashes, node `index` at byte `index * 32`. Level 0 holds the leaf hashes, level k
 * the hash of the perfect subtree of 2^k leaves starting at leaf `index * 2^k` (RFC 9162 section 2.1.1).
 *
 * Derived data: everything here is recomputed from the entries if it is missing, short or not trusted
 * (`truncateTo`, then the incremental tree appends again). Writes are positioned and not fsync'd on each
 * append; `sync()` makes them durable when a checkpoint is signed, which moves the storage's trusted point.
 *
 * Reads are one positioned read of a 4 KiB block (128 nodes), kept in a small LRU cache (stored nodes never
 * change, so a cached block stays right), so a proof costs O(log n) reads at most and consecutive proofs (an
 * export) mostly hit the cache. Memory is bounded by the cache (4 MiB by default), whatever the tree size.
 */
import path from 'node:path';
import { validateNodeBatch, type TreeHashStore, type TreeNode } from '@trialgate/proof-formats';
import { StorageError } from './storage-error.js';
import { readAt, writeAllSync, type StorageFileSystem } from './storage-file-system.js';
import { storageWriteError } from './storage-write-error.js';

export const HASH_BYTES = 32;
const NODES_PER_BLOCK = 128;
const BLOCK_BYTES = HASH_BYTES * NODES_PER_BLOCK;
/** Enough levels for 2^63 leaves. */
const MAX_LEVELS = 64;

export interface FileTreeHashStoreOptions {
  readonly directory: string;
  readonly fileSystem: StorageFileSystem;
  /** Read-only: never creates, writes or truncates; counts are capped at `leafLimit`. */
  readonly readOnly?: boolean;
  /** For a read-only view of a live store: answer as if the tree had this many leaves. */
  readonly leafLimit?: number;
  /** Blocks of 4 KiB kept in the read cache (default 1024: 4 MiB). */
  readonly cacheBlocks?: number;
}

export class FileTreeHashStore implements TreeHashStore {
  readonly #fs: StorageFileSystem;
  readonly #directory: string;
  readonly #readOnly: boolean;
  readonly #fds: number[] = [];
  /** Nodes stored per level, as far as this process knows (file size / 32). */
  readonly #counts: number[] = [];
  #leafLimit: number | undefined;
  /** Per level: block number -> the block's bytes and how many nodes they hold. */
  readonly #cache: Map<number, { readonly bytes: Uint8Array; readonly nodes: number }>[] = [];
  /** (level, block) pairs in the order they were cached, for eviction. */
  #cachedOrder: number[] = [];
  readonly #cacheBlocks: number;

  private constructor(options: FileTreeHashStoreOptions) {
    this.#fs = options.fileSystem;
    this.#directory = options.directory;
    this.#readOnly = options.readOnly ?? false;
    this.#leafLimit = options.leafLimit;
    this.#cacheBlocks = options.cacheBlocks ?? 1024;
  }

  static open(options: FileTreeHashStoreOptions): FileTreeHashStore {
    const store = new FileTreeHashStore(options);
    if (!store.#readOnly) options.fileSystem.mkdirSync(options.directory);
    for (let level = 0; level < MAX_LEVELS; level++) {
      const file = store.#levelPath(level);
      if (!options.fileSystem.existsSync(file)) break;
      const fd = options.fileSystem.openSync(file, store.#readOnly ? 'r' : 'r+');
      store.#fds[level] = fd;
      const size = options.fileSystem.fstatSize(fd);
      const count = Math.floor(size / HASH_BYTES);
      // A torn last hash (a partial 32-byte write) is dropped; it is recomputed from the entries.
      if (!store.#readOnly && size !== count * HASH_BYTES) options.fileSystem.ftruncateSync(fd, count * HASH_BYTES);
      store.#counts[level] = count;
    }
    return store;
  }

  leafCount(): number {
    return this.nodeCount(0);
  }

  nodeCount(level: number): number {
    const stored = this.#counts[level] ?? 0;
    if (this.#leafLimit === undefined) return stored;
    return Math.min(stored, Math.floor(this.#leafLimit / 2 ** level));
  }

  /** For a read-only view: follow the live store up to `leaves` (the committed size of the writer). */
  setLeafLimit(leaves: number): void {
    this.#leafLimit = leaves;
    for (let level = 0; level < MAX_LEVELS; level++) {
      const fd = this.#fds[level] ?? this.#openForRead(level);
      if (fd === undefined) break;
      this.#counts[level] = Math.floor(this.#fs.fstatSize(fd) / HASH_BYTES);
    }
  }

  readNode(level: number, index: number): Uint8Array {
    // A copy, as a plain Uint8Array: callers may keep or change what they get (the port's contract).
    return new Uint8Array(this.readNodeView(level, index));
  }

  /**
   * Like `readNode`, without the copy: a view into the cache. Stored nodes never change and an evicted block is
   * only dropped, never reused, so the view stays right; the caller must not modify it. For hot read paths
   * that only hash or encode what they read (export).
   */
  readNodeView(level: number, index: number): Uint8Array {
    if (!Number.isSafeInteger(level) || !Number.isSafeInteger(index) || index < 0 || index >= this.nodeCount(level)) {
      throw new StorageError('E_STORAGE_INDEX_RANGE', `tree node (${level}, ${index}) is not stored`, {
        details: { level, index, stored: this.nodeCount(level) },
      });
    }
    const fd = this.#fds[level];
    if (fd === undefined) throw new StorageError('E_STORAGE_CORRUPT', `tree level ${level} has no file`);
    if (this.#cacheBlocks === 0) {
      const bytes = readAt(this.#fs, fd, HASH_BYTES, index * HASH_BYTES);
      if (bytes.length !== HASH_BYTES) throw shortRead(level, index);
      return bytes;
    }
    const block = Math.floor(index / NODES_PER_BLOCK);
    const within = (index % NODES_PER_BLOCK) * HASH_BYTES;
    const levelCache = (this.#cache[level] ??= new Map());
    let cached = levelCache.get(block);
    if (cached === undefined || index - block * NODES_PER_BLOCK >= cached.nodes) {
      // A block is cached with as many nodes as were stored when it was read; stored nodes never change, so
      // a partial block (the right edge of a level) stays valid for those and is read again only for more.
      const stored = this.#counts[level] ?? 0;
      const nodes = Math.min(NODES_PER_BLOCK, stored - block * NODES_PER_BLOCK);
      const read = readAt(this.#fs, fd, nodes * HASH_BYTES, block * BLOCK_BYTES);
      if (read.length < within + HASH_BYTES) throw shortRead(level, index);
      cached = { bytes: new Uint8Array(read), nodes: Math.floor(read.length / HASH_BYTES) };
      if (!levelCache.has(block)) {
        // First in, first out: cheaper than an LRU on every hit, and a hot block evicted is one read again.
        this.#cachedOrder.push(level, block);
        if (this.#cachedOrder.length / 2 > this.#cacheBlocks) {
          const oldLevel = this.#cachedOrder.shift() ?? 0;
          const oldBlock = this.#cachedOrder.shift() ?? 0;
          this.#cache[oldLevel]?.delete(oldBlock);
        }
      }
      levelCache.set(block, cached);
    }
    return cached.bytes.subarray(within, within + HASH_BYTES);
  }

  writeNodes(nodes: readonly TreeNode[]): void {
    if (this.#readOnly) throw new StorageError('E_STORAGE_FAILED', 'the tree store is open read-only');
    // The whole batch is checked first, so a refused call writes nothing (the port's contract).
    validateNodeBatch(this, nodes);
    // Group by level; within one call each level's nodes are consecutive (the port's ordering rule).
    const byLevel: TreeNode[][] = [];
    for (const node of nodes) {
      (byLevel[node.level] ??= []).push(node);
    }
    const before = [...this.#counts];
    try {
      for (const [level, levelNodes] of byLevel.entries()) {
        if (levelNodes === undefined || levelNodes.length === 0) continue;
        const start = this.#counts[level] ?? 0;
        const buffer = Buffer.allocUnsafe(levelNodes.length * HASH_BYTES);
        for (const [i, node] of levelNodes.entries()) buffer.set(node.hash, i * HASH_BYTES);
        const fd = this.#fds[level] ?? this.#create(level);
        writeAllSync(this.#fs, fd, buffer, start * HASH_BYTES);
        this.#counts[level] = start + levelNodes.length;
      }
    } catch (error) {
      // Leave the files as they were, so that the incremental tree (unchanged on a throw) stays in step.
      this.#rollback(before);
      throw storageWriteError(error, 'writing tree hashes');
    }
  }

  /** Drops every node beyond what a tree of `leaves` leaves holds (they are recomputed from the entries). */
  truncateTo(leaves: number): void {
    for (let level = 0; level < this.#fds.length; level++) {
      const fd = this.#fds[level];
      if (fd === undefined) continue;
      const keep = Math.min(this.#counts[level] ?? 0, Math.floor(leaves / 2 ** level));
      if (keep !== this.#counts[level]) {
        this.#fs.ftruncateSync(fd, keep * HASH_BYTES);
        this.#counts[level] = keep;
      }
    }
    this.#cache.length = 0;
    this.#cachedOrder = [];
  }

  /** Makes every written node durable (called before a checkpoint moves the trusted point). */
  sync(): void {
    for (const fd of this.#fds) if (fd !== undefined) this.#fs.fdatasyncSync(fd);
  }

  async syncAsync(): Promise<void> {
    const results = await Promise.allSettled(this.#fds.filter((fd) => fd !== undefined).map((fd) => this.#fs.fdatasync(fd)));
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  }

  close(): void {
    for (const fd of this.#fds) if (fd !== undefined) this.#fs.closeSync(fd);
    this.#fds.length = 0;
    this.#cache.length = 0;
    this.#cachedOrder = [];
  }

  #rollback(counts: readonly number[]): void {
    for (let level = 0; level < this.#fds.length; level++) {
      const fd = this.#fds[level];
      const count = counts[level] ?? 0;
      if (fd === undefined || this.#counts[level] === count) continue;
      try {
        this.#fs.ftruncateSync(fd, count * HASH_BYTES);
      } catch {
        // The next open truncates to whole hashes and the tree is repaired from the entries.
      }
      this.#counts[level] = count;
    }
  }

  #create(level: number): number {
    // 'w+': a stale file above a missing level is inconsistent anyway; it is rebuilt from the level below.
    const rw = this.#fs.openSync(this.#levelPath(level), 'w+');
    this.#fds[level] = rw;
    this.#counts[level] = 0;
    return rw;
  }

  #openForRead(level: number): number | undefined {
    const file = this.#levelPath(level);
    if (!this.#fs.existsSync(file)) return undefined;
    const fd = this.#fs.openSync(file, 'r');
    this.#fds[level] = fd;
    return fd;
  }

  #levelPath(level: number): string {
    return path.join(this.#directory, `level-${String(level).padStart(2, '0')}.hashes`);
  }
}

function shortRead(level: number, index: number): StorageError {
  return new StorageError('E_STORAGE_CORRUPT', `tree node (${level}, ${index}) could not be read`, {
    details: { level, index },
  });
}
