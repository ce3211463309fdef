/**
 * Reading a gateway's data directory: what the HTTP API, export and the read-only CLI commands use.
 *
 * `openLogView` works on a stopped gateway's directory and on a running one's without disturbing it:
 * - stopped (the writer lock is free): the directory is opened as the gateway would open it (recovery
 *   included, so a crashed gateway's directory is repaired first), holding the lock until `close`;
 * - running (the lock is held): a read-only snapshot. The state database is opened read-only (WAL lets it
 *   read while the gateway writes); the view's size is the gateway's committed size at that moment, and
 *   only offsets, tree nodes and records below it are read: the gateway wrote them before committing that
 *   size and never changes them. Nothing is created, truncated or locked.
 */
import type { TreeNodeReader } from '@trialgate/proof-formats';
import { CheckpointStore } from '../checkpoints/checkpoint-store.js';
import { isDataDirectoryLocked } from './data-directory-lock.js';
import { listQuarantineRecords, countQuarantineByReason } from './durable-gateway-log.js';
import { EntryOffsetIndex } from './entry-offset-index.js';
import { FileTreeHashStore } from './file-tree-hash-store.js';
import { FramedRecordFile } from './framed-record-file.js';
import type { QuarantineRecord } from './gateway-log.js';
import { DEFAULT_SEGMENT_CAPACITY, LogSegmentFiles } from './log-segment-files.js';
import { forEachEntryInSegments } from './entry-scan.js';
import { dataDirectoryLayout, openLogStore, QUARANTINE_FILE_MAGIC, type DataDirectoryLayout, type LogStore } from './log-store.js';
import type { QuarantineFilter } from './quarantine-query.js';
import { openStateDatabase, readMeta, readMetaNumber, type StateDatabase } from './state-database.js';
import { StorageError } from './storage-error.js';
import { nodeFileSystem, type StorageFileSystem } from './storage-file-system.js';
import { treeReaderOver, type TreeReader } from './tree-reader.js';

export interface LogView {
  readonly layout: DataDirectoryLayout;
  readonly origin: string | null;
  /** `exclusive`: opened with the writer lock (the gateway is stopped); `snapshot`: beside a running gateway. */
  readonly mode: 'exclusive' | 'snapshot' | 'live';
  size(): number;
  readEntry(index: number): Uint8Array;
  /** Calls `onEntry` for entries [from, to) in order, reading the segments sequentially. */
  forEachEntry(from: number, to: number, onEntry: (index: number, bytes: Uint8Array) => void): void;
  readonly tree: TreeReader;
  /** The stored tree's nodes (audits); answers only up to `size()`. */
  readonly treeNodes: TreeNodeReader & {
    nodeCount(level: number): number;
    /** `readNode` without a copy; the result must not be modified. */
    readNodeView(level: number, index: number): Uint8Array;
  };
  readonly checkpoints: CheckpointStore;
  readonly db: StateDatabase;
  listQuarantine(filter?: QuarantineFilter): QuarantineRecord[];
  countQuarantineByReason(): Record<string, number>;
  close(): Promise<void>;
}

export interface OpenLogViewOptions {
  readonly dataDir: string;
  readonly fileSystem?: StorageFileSystem;
  /** Named in the lock while an exclusive view is open (e.g. `trialgate export`). */
  readonly holder?: string;
}

/** A view of a running gateway's own store (the HTTP API in the gateway process). */
export function liveLogView(store: LogStore): LogView {
  return {
    layout: store.layout,
    origin: store.origin,
    mode: 'live',
    size: () => store.log.size(),
    readEntry: (index) => store.log.readEntry(index),
    forEachEntry: (from, to, onEntry) => store.log.forEachEntry(from, to, onEntry),
    tree: store.tree,
    treeNodes: store.treeNodes,
    checkpoints: store.checkpoints,
    db: store.db,
    listQuarantine: (filter) => store.log.listQuarantine(filter),
    countQuarantineByReason: () => store.log.countQuarantineByReason(),
    close: () => Promise.resolve(),
  };
}

export function openLogView(options: OpenLogViewOptions): LogView {
  const layout = dataDirectoryLayout(options.dataDir);
  const fileSystem = options.fileSystem ?? nodeFileSystem;
  if (!fileSystem.existsSync(layout.stateDatabase)) {
    throw new StorageError('E_STORAGE_NOT_FOUND', `${layout.root} holds no gateway data`, { details: { dataDir: layout.root } });
  }
  if (!isDataDirectoryLocked(layout.root)) {
    try {
      const store = openLogStore({ dataDir: layout.root, fileSystem, lockHolder: options.holder ?? 'a trialgate command' });
      return { ...liveLogView(store), mode: 'exclusive', close: () => store.close() };
    } catch (error) {
      // A gateway started between the check and the open: fall back to a snapshot.
      if (!(error instanceof StorageError && error.code === 'E_STORAGE_LOCKED')) throw error;
    }
  }
  return openSnapshot(layout, fileSystem);
}

function openSnapshot(layout: DataDirectoryLayout, fileSystem: StorageFileSystem): LogView {
  const closers: (() => void)[] = [];
  try {
    const db = openStateDatabase({ file: layout.stateDatabase, readOnly: true });
    closers.push(() => db.close());
    const size = readMetaNumber(db, 'committed_size');
    const capacity = readMetaNumber(db, 'segment_capacity') || DEFAULT_SEGMENT_CAPACITY;
    const segments = LogSegmentFiles.open({ directory: layout.log, fileSystem, readOnly: true, capacity });
    closers.push(() => segments.close());
    const offsets = EntryOffsetIndex.open({ directory: layout.log, fileSystem, readOnly: true });
    closers.push(() => offsets.close());
    const treeStore = FileTreeHashStore.open({ directory: layout.tree, fileSystem, readOnly: true, leafLimit: size });
    closers.push(() => treeStore.close());
    if (offsets.count < size || treeStore.leafCount() < size) {
      throw new StorageError('E_STORAGE_CORRUPT', 'the running gateway\'s files are behind its committed size', {
        details: { size, offsets: offsets.count, tree: treeStore.leafCount() },
      });
    }
    const quarantineFile = FramedRecordFile.open({
      file: layout.quarantineFile,
      magic: QUARANTINE_FILE_MAGIC,
      fileSystem,
      readOnly: true,
    });
    if (quarantineFile !== null) closers.push(() => quarantineFile.close());
    const checkpoints = CheckpointStore.open({ file: layout.checkpointFile, fileSystem, db, readOnly: true });
    closers.push(() => checkpoints.close());
    const readEntry = (index: number): Uint8Array => {
      if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
        throw new StorageError('E_STORAGE_INDEX_RANGE', `no entry ${index}: the log holds ${size}`, { details: { index, size } });
      }
      return segments.readRecord(segments.segmentOf(index), offsets.read(index), index);
    };
    return {
      layout,
      origin: readMeta(db, 'origin') ?? null,
      mode: 'snapshot',
      size: () => size,
      readEntry,
      forEachEntry: (from, to, onEntry) => forEachEntryInSegments(segments, offsets, Math.min(to, size), from, onEntry),
      tree: treeReaderOver(treeStore, () => size),
      treeNodes: treeStore,
      checkpoints,
      db,
      listQuarantine: (filter = {}) => (quarantineFile === null ? [] : listQuarantineRecords(db, quarantineFile, filter)),
      countQuarantineByReason: () => countQuarantineByReason(db),
      close: () => {
        for (const close of closers.reverse()) close();
        return Promise.resolve();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) close();
    throw error;
  }
}

