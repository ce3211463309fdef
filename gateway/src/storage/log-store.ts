/**
 * Opens a gateway's data directory for writing: takes the single-writer lock, recovers, and returns the
 * durable log with its tree, checkpoints and state database (docs/storage.md).
 *
 *   DATA/gateway.lock                 single-writer lock (data-directory-lock.ts)
 *   DATA/state.sqlite                 indexes and mutable state (state-database.ts)
 *   DATA/log/entries-*.tglog          the entries as received: the source of truth (log-segment-files.ts)
 *   DATA/log/offsets.idx              derived: where each entry starts (entry-offset-index.ts)
 *   DATA/tree/level-NN.hashes         derived: the stored tree (file-tree-hash-store.ts)
 *   DATA/quarantine/quarantine.tgq    refused messages as received (quarantine-record-codec.ts)
 *   DATA/checkpoints/checkpoints.tgc  every signed checkpoint (checkpoints/checkpoint-store.ts)
 *   DATA/gateway.key                  the gateway's signing key (keys/gateway-key.ts)
 *
 * Recovery, in order (each step only reads what the previous ones made trustworthy):
 *   1. derived files are cut back to the point last made durable (`synced_size`), since after power loss
 *      anything written after it may be garbage;
 *   2. the segments are walked from there, re-deriving offsets and tree leaves; the first record that is
 *      not whole ends the log: if it lies past every acknowledged entry (the committed size in the state
 *      database, the latest checkpoint) it is a torn tail and is cut; otherwise the log was damaged and
 *      opening fails with E_STORAGE_CORRUPT;
 *   3. the tree's root at the latest checkpoint's size must equal the signed root: otherwise the log was
 *      altered (E_STORAGE_LOG_ALTERED) and the gateway refuses to start (and so never signs a checkpoint
 *      inconsistent with one it signed before);
 *   4. the seq index, quarantine index and projections catch up from their watermarks.
 * With `verify: 'full'`, every entry is re-hashed and every stored node and checkpoint re-checked.
 */
import path from 'node:path';
import { bytesEqual, IncrementalTree } from '@trialgate/proof-formats';
import { CheckpointStore } from '../checkpoints/checkpoint-store.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { acquireDataDirectoryLock, type DataDirectoryLock } from './data-directory-lock.js';
import {
  DEFAULT_GROUP_COMMIT_LIMITS,
  DurableGatewayLog,
  catchUpQuarantineIndex,
  catchUpSeqIndex,
  seqIndexedSize,
  replayProjection,
  type GroupCommitLimits,
} from './durable-gateway-log.js';
import { EntryOffsetIndex } from './entry-offset-index.js';
import { FileTreeHashStore } from './file-tree-hash-store.js';
import { FramedRecordFile } from './framed-record-file.js';
import { auditStoredLog } from './log-audit.js';
import type { LogProjection } from './log-projection.js';
import { catchUpTree, extendOffsetsFromSegments, treeFeeder } from './log-recovery.js';
import { DEFAULT_SEGMENT_CAPACITY, LogSegmentFiles } from './log-segment-files.js';
import { coseSeqClaimOf, type SeqClaimOf } from './seq-claim-of-entry.js';
import { openStateDatabase, readMeta, readMetaNumber, writeMeta, type StateDatabase } from './state-database.js';
import { StorageError } from './storage-error.js';
import { nodeFileSystem, type StorageFileSystem } from './storage-file-system.js';
import type { TreeReader } from './tree-reader.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export const QUARANTINE_FILE_MAGIC = 'TRIALGATE-QRN-1\n';

export interface DataDirectoryLayout {
  readonly root: string;
  readonly stateDatabase: string;
  readonly log: string;
  readonly tree: string;
  readonly quarantineFile: string;
  readonly checkpointFile: string;
  readonly gatewayKey: string;
}

export function dataDirectoryLayout(dataDir: string): DataDirectoryLayout {
  const root = path.resolve(dataDir);
  return {
    root,
    stateDatabase: path.join(root, 'state.sqlite'),
    log: path.join(root, 'log'),
    tree: path.join(root, 'tree'),
    quarantineFile: path.join(root, 'quarantine', 'quarantine.tgq'),
    checkpointFile: path.join(root, 'checkpoints', 'checkpoints.tgc'),
    gatewayKey: path.join(root, 'gateway.key'),
  };
}

export interface OpenLogStoreOptions {
  readonly dataDir: string;
  /** The log origin; required to create a log, checked against the stored one otherwise. */
  readonly origin?: string;
  readonly projections?: readonly LogProjection[];
  /** How the seq index is re-derived from logged entries (default: `dev` and `seq` of a COSE_Sign1 payload). */
  readonly seqClaimOf?: SeqClaimOf;
  /** Entries per segment, for a new log (default 2^20). */
  readonly segmentCapacity?: number;
  readonly limits?: Partial<GroupCommitLimits>;
  readonly fileSystem?: StorageFileSystem;
  readonly logger?: Logger;
  readonly metrics?: GatewayMetrics;
  /** `tail` (default): re-derive and check what lies past the durable point; `full`: re-hash everything. */
  readonly verify?: 'tail' | 'full';
  /** Named in the lock, for the message another writer gets. */
  readonly lockHolder?: string;
}

export interface LogStore {
  readonly layout: DataDirectoryLayout;
  /** The log origin (null for a directory created without one, e.g. by a read-only command). */
  readonly origin: string | null;
  readonly log: DurableGatewayLog;
  readonly tree: TreeReader;
  /** The file-backed tree store under `tree` (audits and benchmarks read nodes directly). */
  readonly treeNodes: FileTreeHashStore;
  readonly checkpoints: CheckpointStore;
  readonly db: StateDatabase;
  /** What recovery found and repaired, for the start-up log line. */
  readonly recovery: RecoveryReport;
  /** Drains in-flight appends, syncs derived files, closes everything and releases the lock. */
  close(): Promise<void>;
}

export interface RecoveryReport {
  readonly size: number;
  /** Entries re-derived from the segments (offsets and tree). */
  readonly rederived: number;
  /** Bytes of a torn tail cut from the last segment (0 if none). */
  readonly tornTailBytes: number;
  readonly checkpointVerified: number | null;
}

export function openLogStore(options: OpenLogStoreOptions): LogStore {
  const layout = dataDirectoryLayout(options.dataDir);
  const fileSystem = options.fileSystem ?? nodeFileSystem;
  const logger = options.logger ?? silentLogger();
  const lock: DataDirectoryLock = acquireDataDirectoryLock(layout.root, options.lockHolder ?? 'gateway');
  const opened: { close(): void }[] = [];
  let checkpointer: WalCheckpointer | null = null;
  try {
    fileSystem.mkdirSync(path.dirname(layout.quarantineFile));
    fileSystem.mkdirSync(path.dirname(layout.checkpointFile));
    const db = openStateDatabase({ file: layout.stateDatabase, readOnly: false });
    opened.push({ close: () => db.close() });
    const origin = checkOrigin(db, options.origin);

    const segments = LogSegmentFiles.open({
      directory: layout.log,
      fileSystem,
      readOnly: false,
      capacity: options.segmentCapacity ?? DEFAULT_SEGMENT_CAPACITY,
    });
    opened.push(segments);
    const offsets = EntryOffsetIndex.open({ directory: layout.log, fileSystem, readOnly: false });
    opened.push(offsets);
    const treeStore = FileTreeHashStore.open({ directory: layout.tree, fileSystem });
    opened.push(treeStore);
    const quarantineFile = FramedRecordFile.open({
      file: layout.quarantineFile,
      magic: QUARANTINE_FILE_MAGIC,
      fileSystem,
      readOnly: false,
    });
    if (quarantineFile === null) throw new StorageError('E_STORAGE_NOT_FOUND', 'no quarantine file');
    opened.push(quarantineFile);
    const checkpoints = CheckpointStore.open({ file: layout.checkpointFile, fileSystem, db, readOnly: false });
    opened.push(checkpoints);

    // 1. Cut derived files back to their durable point.
    const committed = readMetaNumber(db, 'committed_size');
    const synced = Math.min(readMetaNumber(db, 'synced_size'), committed);
    offsets.truncateTo(synced);
    treeStore.truncateTo(Math.min(offsets.count, synced));
    const tree = IncrementalTree.open(treeStore);
    const readIndexed = (i: number): Uint8Array => segments.readRecord(segments.segmentOf(i), offsets.read(i), i);
    catchUpTree(tree, offsets.count, readIndexed);

    // 2. Walk the segments from there.
    const rederiveFrom = offsets.count;
    const feeder = treeFeeder(tree);
    const scan = extendOffsetsFromSegments(segments, offsets, feeder.onEntry);
    feeder.finish();
    const latest = checkpoints.latest();
    const acknowledged = Math.max(committed, latest?.treeSize ?? 0);
    let tornTailBytes = 0;
    if (scan.damage !== null) {
      const last = segments.segments.at(-1);
      if (scan.damage.segment !== last?.first || scan.size < acknowledged) {
        throw new StorageError(
          'E_STORAGE_CORRUPT',
          `the log is damaged at entry ${scan.size} (segment ${scan.damage.segment}, byte ${scan.damage.offset}): ${scan.damage.reason}`,
          { details: { ...scan.damage, entry: scan.size, acknowledged } },
        );
      }
      // A torn tail: a group commit cut short by a crash, never acknowledged.
      tornTailBytes = segments.fileSize(last.first) - scan.damage.offset;
      segments.truncateSync(last.first, scan.damage.offset);
      logger.warn({ entry: scan.size, bytes: tornTailBytes }, 'cut a torn tail from the log (never acknowledged)');
    }
    const size = scan.size;
    if (size < acknowledged) {
      throw new StorageError('E_STORAGE_CORRUPT', `the log holds ${size} entries, but ${acknowledged} were acknowledged`, {
        details: { size, acknowledged },
      });
    }

    // 3. The latest signed checkpoint must be the root of the tree at its size.
    if (latest !== null && !bytesEqual(tree.root(latest.treeSize), latest.rootHash)) {
      throw new StorageError(
        'E_STORAGE_LOG_ALTERED',
        `the log no longer matches checkpoint ${latest.treeSize} that this gateway signed: it was altered`,
        { details: { treeSize: latest.treeSize } },
      );
    }
    if (options.verify === 'full') {
      auditStoredLog({ size, readEntry: readIndexed, treeStore, checkpoints: checkpoints.list({ limit: 100_000 }) });
    }

    // 4. Indexes and projections.
    const claimOf = options.seqClaimOf ?? coseSeqClaimOf;
    // The seq rows may lag the committed size (they are written in bulk, durable-gateway-log.ts): re-derive from there.
    catchUpSeqIndex(db, claimOf, Math.min(seqIndexedSize(db), committed, size), size, readIndexed);
    const lastQuarantine = db
      .prepare('SELECT id, file_offset, record_bytes FROM quarantine_index ORDER BY id DESC LIMIT 1')
      .get() as { id: number; file_offset: number; record_bytes: number } | undefined;
    const quarantineIndexedEnd = lastQuarantine === undefined ? 0 : lastQuarantine.file_offset + lastQuarantine.record_bytes;
    quarantineFile.recover(quarantineIndexedEnd, quarantineIndexedEnd, () => undefined);
    catchUpQuarantineIndex(db, quarantineFile);
    const projections = options.projections ?? [];
    const names = new Set<string>();
    for (const projection of projections) {
      if (names.has(projection.name)) {
        throw new StorageError('E_STORAGE_STATE_DB', `two projections are named ${projection.name}`);
      }
      names.add(projection.name);
      projection.migrate(db);
      replayProjection(db, projection, size, readIndexed);
    }
    offsets.sync();
    treeStore.sync();
    writeMeta(db, 'committed_size', size);
    writeMeta(db, 'synced_size', size);
    writeMeta(db, 'segment_capacity', segments.capacity);
    const maxQuarantineId = (db.prepare('SELECT MAX(id) AS id FROM quarantine_index').get() as { id: number | null }).id;

    // Stopped before the database closes (the log's close awaits it); on a failed open, in the catch below.
    const started = WalCheckpointer.start({
      db,
      file: layout.stateDatabase,
      logger,
      onCheckpoint: (seconds, thread) => options.metrics?.walCheckpointSeconds.observe({ thread }, seconds),
    });
    checkpointer = started;
    const log = new DurableGatewayLog({
      db,
      segments,
      offsets,
      treeStore,
      tree,
      quarantineFile,
      size,
      segmentEnd: scan.damage !== null ? scan.damage.offset : scan.segmentEnd,
      nextQuarantineId: (maxQuarantineId ?? 0) + 1,
      projections,
      seqClaimOf: claimOf,
      limits: { ...DEFAULT_GROUP_COMMIT_LIMITS, ...options.limits },
      logger,
      metrics: options.metrics,
      stopBackground: () => started.stop(),
      closeResources: () => {
        for (const resource of opened.reverse()) {
          try {
            resource.close();
          } catch {
            // Closing is best effort; the lock is released below regardless.
          }
        }
        lock.release();
      },
    });
    const recovery: RecoveryReport = {
      size,
      rederived: size - rederiveFrom,
      tornTailBytes,
      checkpointVerified: latest?.treeSize ?? null,
    };
    metricsAfterOpen(options.metrics, size, latest?.treeSize);
    return {
      layout,
      origin,
      log,
      tree: log.tree,
      treeNodes: treeStore,
      checkpoints,
      db,
      recovery,
      close: () => log.close(),
    };
  } catch (error) {
    void checkpointer?.stop();
    for (const resource of opened.reverse()) {
      try {
        resource.close();
      } catch {
        // Already failing: report the first error.
      }
    }
    lock.release();
    throw error;
  }
}

function checkOrigin(db: StateDatabase, origin: string | undefined): string | null {
  const stored = readMeta(db, 'origin');
  if (stored !== undefined && origin !== undefined && stored !== origin) {
    throw new StorageError(
      'E_STORAGE_MISMATCH',
      `the data directory holds the log of ${stored}, not ${origin}: a gateway's origin never changes`,
      { details: { stored, requested: origin } },
    );
  }
  if (stored === undefined && origin !== undefined) writeMeta(db, 'origin', origin);
  return stored ?? origin ?? null;
}

function metricsAfterOpen(metrics: GatewayMetrics | undefined, size: number, checkpointSize: number | undefined): void {
  metrics?.treeSize.set(size);
  if (checkpointSize !== undefined) metrics?.checkpointSize.set(checkpointSize);
}
