import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IncrementalTree } from '@trialgate/proof-formats';
import { describeTreeHashStoreContract } from '@trialgate/proof-formats/testing';
import { FileTreeHashStore } from './file-tree-hash-store.js';
import { nodeFileSystem } from './storage-file-system.js';
import { failingFileSystem } from './testing/failing-file-system.js';

function freshDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tg-tree-'));
}

const dirs = new WeakMap<FileTreeHashStore, string>();

function openAt(directory: string, cacheBlocks?: number): FileTreeHashStore {
  const store = FileTreeHashStore.open({
    directory,
    fileSystem: nodeFileSystem,
    ...(cacheBlocks === undefined ? {} : { cacheBlocks }),
  });
  dirs.set(store, directory);
  return store;
}

for (const cacheBlocks of [1024, 0, 1]) {
  describeTreeHashStoreContract(`FileTreeHashStore (cache ${cacheBlocks} blocks)`, {
    create: () => openAt(freshDir(), cacheBlocks),
    reopen: (store) => {
      const directory = dirs.get(store) ?? '';
      store.close();
      return openAt(directory, cacheBlocks);
    },
    dispose: (store) => {
      const directory = dirs.get(store);
      store.close();
      if (directory !== undefined) fs.rmSync(directory, { recursive: true, force: true });
    },
    leaves: 300,
  });
}

describe('FileTreeHashStore', () => {
  it('drops a torn partial hash at the end of a level file on open', () => {
    const directory = freshDir();
    const store = openAt(directory);
    const tree = IncrementalTree.open(store);
    tree.appendEntries([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])]);
    const root = tree.root();
    store.close();
    fs.appendFileSync(path.join(directory, 'level-00.hashes'), Buffer.alloc(7, 0xff));
    const reopened = openAt(directory);
    expect(reopened.leafCount()).toBe(3);
    expect(IncrementalTree.open(reopened).root()).toEqual(root);
    reopened.close();
    fs.rmSync(directory, { recursive: true });
  });

  it('leaves the files as they were when a write fails (ENOSPC), so the tree stays in step', () => {
    const directory = freshDir();
    const fileSystem = failingFileSystem();
    const store = FileTreeHashStore.open({ directory, fileSystem });
    const tree = IncrementalTree.open(store);
    tree.appendEntries([new Uint8Array([1])]);
    fileSystem.failWrites('ENOSPC', { afterBytes: 40 });
    expect(() => tree.appendEntries([new Uint8Array([2]), new Uint8Array([3]), new Uint8Array([4])])).toThrow(
      expect.objectContaining({ code: 'E_STORAGE_NO_SPACE' }),
    );
    fileSystem.heal();
    expect(store.leafCount()).toBe(1);
    expect(tree.size).toBe(1);
    tree.appendEntries([new Uint8Array([2]), new Uint8Array([3]), new Uint8Array([4])]);
    expect(IncrementalTree.open(store).root()).toEqual(tree.root());
    store.close();
    fs.rmSync(directory, { recursive: true });
  });

  it('truncateTo keeps exactly the nodes of a smaller tree', () => {
    const directory = freshDir();
    const store = openAt(directory);
    const tree = IncrementalTree.open(store);
    tree.appendEntries(Array.from({ length: 13 }, (_, i) => new Uint8Array([i])));
    const root6 = tree.root(6);
    store.truncateTo(6);
    expect(store.leafCount()).toBe(6);
    expect(store.nodeCount(1)).toBe(3);
    expect(store.nodeCount(2)).toBe(1);
    expect(store.nodeCount(3)).toBe(0);
    expect(IncrementalTree.open(store).root()).toEqual(root6);
    store.close();
    fs.rmSync(directory, { recursive: true });
  });
});
