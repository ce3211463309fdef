/**
 * The durable `GatewayLog`: group commit over the segment files, with the derived files and the state
 * database updated after each fsync (docs/storage.md). Opened by `openLogStore`, which recovers everything
 * first; this class only appends, reads and closes.
 *
 * One group commit at a time. While its fsync is in flight, appends queue up and share the next one
 * (Tessera's "durably assigned index, integrated soon after"). A commit:
 *   1. decides each claimed append against the seq index and the batch itself (atomic: nothing else runs
 *      between the decision and the write, and the previous commit's index rows are already in SQLite);
 *   2. writes the new records at the end of the last segment and the quarantine records at the end of the
 *      quarantine file, then fdatasyncs both (the durability point);
 *   3. on a write or fsync failure cuts both files back to where they were, so that nothing half-written
 *      remains, and rejects the batch with E_STORAGE_NO_SPACE / E_STORAGE_WRITE (nothing is acknowledged);
 *   4. otherwise writes the offsets and tree nodes, commits the quarantine index rows, the committed size
 *      and the projections in one SQLite transaction, calls the committed listeners, and resolves. The batch's
 *      seq claims join the pending seq rows, which go into SQLite in bulk, in later commits' transactions,
 *      in rounds that start once there are `SEQ_INDEX_FLUSH_ROWS` of them or the oldest is
 *      `SEQ_INDEX_FLUSH_MS` old (and all of them at close), whole devices per commit (at least
 *      `SEQ_INDEX_WRITE_CHUNK` rows, or twice the commit's claims if more; pending-seq-rows.ts): inserting
 *      into the (device, seq) B-tree costs per page touched, and a commit of a few hundred readings from as
 *      many devices touched a page per reading (measured: 13.5 µs per row in commits of 200 rows, 2.6 µs in
 *      commits of 10,000). Decisions read the pending rows before SQLite, so nothing changes for
 *      them; `seq_indexed_size` in SQLite says how far the rows are complete, and after a crash the missing
 *      ones are re-derived from the entries, as any derived state is.
 * If step 4 fails, the entries are durable (they are resolved as appended) and the derived state is marked
 * behind: the next commit first catches it up from the files, or refuses with a typed error if it cannot.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Statement } from 'better-sqlite3';
import { leafHash, type IncrementalTree, type LogEntry } from '@trialgate/proof-formats';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { Logger } from '../observability/logger.js';
import { decodeEntryBytes, entryBytes } from './entry-bytes.js';
import type { EntryOffsetIndex } from './entry-offset-index.js';
import type { FileTreeHashStore } from './file-tree-hash-store.js';
import type { FramedRecordFile } from './framed-record-file.js';
import type {
  AppendOutcome,
  CommittedEntry,
  GatewayLog,
  QuarantineInput,
  QuarantineRecord,
  SeqClaim,
} from './gateway-log.js';
import type { LogProjection } from './log-projection.js';
import type { LogSegmentFiles } from './log-segment-files.js';
import { decodeQuarantineRecord, encodeQuarantineRecord } from './quarantine-record-codec.js';
import { quarantineListLimit, type QuarantineFilter, type QuarantineQuery } from './quarantine-query.js';
import { framedLength, writeRecord } from './record-framing.js';
import type { SeqClaimOf } from './seq-claim-of-entry.js';
import { readMeta, writeMeta, type StateDatabase } from './state-database.js';
import { StorageError } from './storage-error.js';
import { MAX_ENTRY_BYTES, MAX_QUARANTINE_ORIGINAL_BYTES } from './storage-limits.js';
import { quarantineRecordOf } from './quarantine-record-of.js';
import { storageWriteError } from './storage-write-error.js';
import { PendingSeqRows, type SeqRowChunk } from './pending-seq-rows.js';
import { treeReaderOver, type TreeReader } from './tree-reader.js';
import { catchUpTree, extendOffsetsFromSegments, treeFeeder } from './log-recovery.js';
import { forEachEntryInSegments } from './entry-scan.js';

/** Pending seq rows start going into SQLite once there are this many (docs/storage.md, "Appends")... */
export const SEQ_INDEX_FLUSH_ROWS = 8192;
/** ...or once the oldest has waited this long (ms)... */
export const SEQ_INDEX_FLUSH_MS = 1000;
/**
 * ...at least this many per commit (or twice the commit's own claims, if more), whole devices at a time, so
 * that no commit holds the event loop long (tail latency; about 1 ms per 512 rows).
 */
export const SEQ_INDEX_WRITE_CHUNK = 512;

export interface GroupCommitLimits {
  /** Entries and quarantine records per group commit (default 4096). */
  readonly maxBatchRecords: number;
  /** Bytes per group commit (default 8 MiB). */
  readonly maxBatchBytes: number;
  /** Appends waiting for the disk before new ones are refused with E_STORAGE_OVERLOADED (default 65,536). */
  readonly maxQueuedRecords: number;
  /** Bytes waiting for the disk before new appends are refused (default 64 MiB). */
  readonly maxQueuedBytes: number;
  /**
   * Make the offset index and tree durable every this many entries (default 65,536), besides at each
   * checkpoint and at close, which bounds what a recovery after power loss re-derives.
   */
  readonly syncDerivedEvery: number;
}

export const DEFAULT_GROUP_COMMIT_LIMITS: GroupCommitLimits = {
  maxBatchRecords: 4096,
  maxBatchBytes: 8 * 1024 * 1024,
  maxQueuedRecords: 65_536,
  maxQueuedBytes: 64 * 1024 * 1024,
  syncDerivedEvery: 65_536,
};

/** Everything `openLogStore` opened and recovered, handed over to the log. */
export interface DurableLogParts {
  readonly db: StateDatabase;
  readonly segments: LogSegmentFiles;
  readonly offsets: EntryOffsetIndex;
  readonly treeStore: FileTreeHashStore;
  readonly tree: IncrementalTree;
  readonly quarantineFile: FramedRecordFile;
  /** Entries in the log (all derived data is caught up to it). */
  readonly size: number;
  /** Byte offset after the last record of the last segment. */
  readonly segmentEnd: number;
  readonly nextQuarantineId: number;
  readonly projections: readonly LogProjection[];
  readonly seqClaimOf: SeqClaimOf;
  readonly limits: GroupCommitLimits;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics | undefined;
  /** Stops the store's background work on the files (the WAL checkpoint thread), after the log drained. */
  readonly stopBackground: () => Promise<void>;
  /** Closes files, the database and the lock, after the log drained. */
  readonly closeResources: () => void;
}

interface PendingAppend {
  readonly kind: 'append';
  readonly entry: LogEntry;
  readonly bytes: Uint8Array;
  readonly claim: SeqClaim | undefined;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingQuarantine {
  readonly kind: 'quarantine';
  readonly input: QuarantineInput;
  readonly resolve: (record: QuarantineRecord) => void;
  readonly reject: (error: unknown) => void;
}

type Pending = PendingAppend | PendingQuarantine;

interface SeqRow {
  readonly entry_index: number;
  readonly original_sha256: Buffer;
}


interface QuarantineRow {
  readonly id: number;
  readonly file_offset: number;
}

export class DurableGatewayLog implements GatewayLog, QuarantineQuery {
  readonly tree: TreeReader;
  readonly #p: DurableLogParts;
  readonly #db: StateDatabase;
  readonly #log: Logger;
  readonly #listeners = new Set<(entries: readonly CommittedEntry[]) => void>();
  readonly #projectionsBehind = new Set<string>();
  #size: number;
  #segmentEnd: number;
  #nextQuarantineId: number;
  #queue: Pending[] = [];
  #queuedBytes = 0;
  #flushing = false;
  #scheduled = false;
  #closed = false;
  #closePromise: Promise<void> | null = null;
  #drainWaiters: (() => void)[] = [];
  /** A failed write may have left bytes past the end of a file: cut them before the next write. */
  #segmentTailDirty = false;
  #quarantineTailDirty = false;
  /** Offsets, tree or state database missed a commit: catch up from the files before deciding more. */
  #derivedBehind = false;
  #resourcesClosed = false;
  /** Syncs of the derived files under way: close waits for them before it closes the files. */
  readonly #syncsInFlight = new Set<Promise<number>>();
  /**
   * Per device, a seq at least as high as any in the seq index, the pending rows and the batch being decided
   * (bounded: cleared past 100,000 devices, only between commits).
   */
  readonly #maxSeq = new Map<string, number>();
  /** Appended claims not yet in the seq index table (docs/storage.md, "Appends"). */
  readonly #pendingSeq = new PendingSeqRows();
  /** When the oldest pending row was added (performance.now()). */
  #pendingSeqSince = 0;
  /** Pending rows are being written, a chunk per commit, until none is left. */
  #writingSeq = false;
  /** Entries committed since the derived files were last made durable (bounds the work of a recovery). */
  #entriesSinceSync = 0;
  readonly #statements: {
    readonly seqLookup: Statement<unknown[]>;
    readonly seqMax: Statement<unknown[]>;
    readonly seqInsert: Statement<unknown[]>;
    readonly quarantineInsert: Statement<unknown[]>;
    readonly watermark: Statement<unknown[]>;
    readonly meta: Statement<unknown[]>;
  };

  constructor(parts: DurableLogParts) {
    this.#p = parts;
    this.#db = parts.db;
    this.#log = parts.logger;
    this.#size = parts.size;
    this.#segmentEnd = parts.segmentEnd;
    this.#nextQuarantineId = parts.nextQuarantineId;
    this.tree = treeReaderOver(parts.treeStore, () => this.#size);
    this.#statements = {
      seqLookup: this.#db.prepare('SELECT entry_index, original_sha256 FROM seq_index WHERE device_id = ? AND seq = ?'),
      seqMax: this.#db.prepare('SELECT MAX(seq) AS max FROM seq_index WHERE device_id = ?'),
      seqInsert: this.#db.prepare(
        'INSERT OR IGNORE INTO seq_index (device_id, seq, entry_index, original_sha256) VALUES (?, ?, ?, ?)',
      ),
      quarantineInsert: this.#db.prepare(
        `INSERT INTO quarantine_index (id, received_at_ms, transport, claimed_device_id, reason, file_offset, record_bytes)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      watermark: this.#db.prepare(
        'INSERT INTO projection_watermarks (name, log_size) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET log_size = excluded.log_size',
      ),
      meta: this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
    parts.metrics?.treeSize.set(this.#size);
  }

  append(entry: LogEntry, claim?: SeqClaim): Promise<AppendOutcome> {
    if (this.#closed) return Promise.reject(closedError());
    let bytes: Uint8Array;
    try {
      bytes = entryBytes(entry);
    } catch (error) {
      // E_ENTRY_INVALID (proof-formats): the caller's entry breaks spec section 4.
      return Promise.reject(error);
    }
    if (bytes.length > MAX_ENTRY_BYTES) {
      return Promise.reject(
        new StorageError('E_STORAGE_ENTRY_TOO_LARGE', `an entry of ${bytes.length} bytes exceeds ${MAX_ENTRY_BYTES}`, {
          details: { length: bytes.length, max: MAX_ENTRY_BYTES },
        }),
      );
    }
    const overloaded = this.#admit(bytes.length);
    if (overloaded !== null) return Promise.reject(overloaded);
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: 'append', entry, bytes, claim, resolve, reject });
      this.#schedule();
    });
  }

  quarantine(input: QuarantineInput): Promise<QuarantineRecord> {
    if (this.#closed) return Promise.reject(closedError());
    const overloaded = this.#admit(Math.min(input.original.length, MAX_QUARANTINE_ORIGINAL_BYTES) + 512);
    if (overloaded !== null) return Promise.reject(overloaded);
    return new Promise((resolve, reject) => {
      this.#queue.push({ kind: 'quarantine', input, resolve, reject });
      this.#schedule();
    });
  }

  size(): number {
    return this.#size;
  }

  readEntry(index: number): Uint8Array {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.#size) {
      throw new StorageError('E_STORAGE_INDEX_RANGE', `no entry ${index}: the log holds ${this.#size}`, {
        details: { index, size: this.#size },
      });
    }
    const segment = this.#p.segments.segmentOf(index);
    return this.#p.segments.readRecord(segment, this.#p.offsets.read(index), index);
  }

  /**
   * Calls `onEntry` for entries [from, min(to, size)) in order, reading the segments sequentially (export, audits).
   * `bytes` is a view into a read buffer: copy it to keep it.
   */
  forEachEntry(from: number, to: number, onEntry: (index: number, bytes: Uint8Array) => void): void {
    forEachEntryInSegments(this.#p.segments, this.#p.offsets, Math.min(to, this.#size), Math.max(0, from), onEntry);
  }

  onCommitted(listener: (entries: readonly CommittedEntry[]) => void): () => void {
    const wrapped = (entries: readonly CommittedEntry[]): void => listener(entries);
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  listQuarantine(filter: QuarantineFilter = {}): QuarantineRecord[] {
    return listQuarantineRecords(this.#db, this.#p.quarantineFile, filter);
  }

  countQuarantineByReason(): Record<string, number> {
    return countQuarantineByReason(this.#db);
  }

  /**
   * Makes the offsets and tree files durable up to the current size and records that as the trusted point
   * (recovery re-derives only what lies beyond it). The checkpointer calls it before signing.
   */
  syncDerived(): Promise<number> {
    const syncing = this.#syncDerivedNow();
    this.#syncsInFlight.add(syncing);
    const done = (): void => {
      this.#syncsInFlight.delete(syncing);
    };
    syncing.then(done, done);
    return syncing;
  }

  async #syncDerivedNow(): Promise<number> {
    if (this.#resourcesClosed) throw closedError();
    if (this.#derivedBehind) return this.#syncedSize();
    const size = this.#size;
    try {
      await settleAll([this.#p.offsets.syncAsync(), this.#p.treeStore.syncAsync()]);
    } catch (error) {
      throw storageWriteError(error, 'syncing the offset index and tree');
    }
    if (this.#resourcesClosed) return size;
    writeMeta(this.#db, 'synced_size', Math.max(size, this.#syncedSize()));
    return size;
  }

  close(): Promise<void> {
    if (this.#closePromise !== null) return this.#closePromise;
    this.#closed = true;
    this.#closePromise = (async () => {
      await this.#drained();
      await Promise.allSettled([...this.#syncsInFlight]);
      await this.#p.stopBackground().catch((error: unknown) => this.#log.warn({ err: error }, 'a background task of the log did not stop cleanly'));
      try {
        if (!this.#derivedBehind) {
          while (this.#pendingSeq.size > 0) {
            const chunk = this.#db.transaction(() => this.#writeSeqChunk(Number.MAX_SAFE_INTEGER))();
            this.#pendingSeq.chunkWritten(chunk);
          }
          this.#pendingSeq.clear();
          this.#p.offsets.sync();
          this.#p.treeStore.sync();
          writeMeta(this.#db, 'synced_size', this.#size);
        }
      } catch (error) {
        this.#log.warn({ err: error }, 'could not sync derived files at close; they are rebuilt on open');
      } finally {
        this.#resourcesClosed = true;
        this.#p.closeResources();
      }
    })();
    return this.#closePromise;
  }

  #syncedSize(): number {
    const row = this.#db.prepare("SELECT value FROM meta WHERE key = 'synced_size'").get() as
      | { value: string }
      | undefined;
    return row === undefined ? 0 : Number(row.value);
  }

  #admit(bytes: number): StorageError | null {
    const limits = this.#p.limits;
    if (this.#queue.length >= limits.maxQueuedRecords || this.#queuedBytes + bytes > limits.maxQueuedBytes) {
      this.#p.metrics?.storageErrors.inc({ code: 'E_STORAGE_OVERLOADED' });
      return new StorageError('E_STORAGE_OVERLOADED', 'too many appends are waiting for the disk; try again later', {
        details: { queued: this.#queue.length, queuedBytes: this.#queuedBytes },
      });
    }
    this.#queuedBytes += bytes;
    return null;
  }

  #drained(): Promise<void> {
    if (!this.#flushing && !this.#scheduled && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #schedule(): void {
    if (this.#flushing || this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate: everything appended in this turn of the event loop joins the first commit.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flushLoop();
    });
  }

  async #flushLoop(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) await this.#commitOnce();
    } finally {
      this.#flushing = false;
      if (this.#queue.length > 0) this.#schedule();
      else for (const waiter of this.#drainWaiters.splice(0)) waiter();
    }
  }

  async #commitOnce(): Promise<void> {
    const p = this.#p;
    if (this.#derivedBehind) {
      try {
        this.#catchUpDerived();
      } catch (error) {
        // A full disk is E_STORAGE_NO_SPACE whichever file it hit first (SQLite says SQLITE_FULL).
        const failure = storageWriteError(error, 'catching up the log index');
        this.#rejectAll(this.#queue.splice(0), failure);
        this.#queuedBytes = 0;
        return;
      }
    }

    // 1. Decide, in call order, up to the batch bounds and never across a segment boundary.
    const capacity = p.segments.capacity;
    const firstIndex = this.#size;
    // The hint is only ever dropped between commits, so that it covers this batch's claims while deciding.
    if (this.#maxSeq.size >= 100_000) this.#maxSeq.clear();
    // Claims of a commit that ended without committing or rolling back (a throw) are not rows.
    this.#pendingSeq.rollback();
    const decided: { item: Pending; outcome: AppendOutcome | QuarantineRecord }[] = [];
    const newEntries: PendingAppend[] = [];
    const newQuarantine: QuarantineRecord[] = [];
    let bytes = 0;
    let taken = 0;
    let nextIndex = firstIndex;
    let nextQuarantineId = this.#nextQuarantineId;
    for (const item of this.#queue) {
      if (taken >= p.limits.maxBatchRecords || (taken > 0 && bytes >= p.limits.maxBatchBytes)) break;
      if (item.kind === 'quarantine') {
        const record = quarantineRecordOf(item.input, nextQuarantineId);
        nextQuarantineId += 1;
        newQuarantine.push(record);
        decided.push({ item, outcome: record });
        bytes += Math.min(item.input.original.length, MAX_QUARANTINE_ORIGINAL_BYTES) + 512;
        taken += 1;
        continue;
      }
      if (nextIndex % capacity === 0 && nextIndex > firstIndex) break;
      const decision = this.#decide(item, nextIndex);
      if (decision.outcome.status === 'appended') {
        nextIndex += 1;
        newEntries.push(item);
      }
      decided.push(decision);
      bytes += item.bytes.length;
      taken += 1;
    }
    this.#queue = this.#queue.slice(taken);
    this.#queuedBytes = Math.max(0, this.#queuedBytes - bytes);

    // 2. Write and fsync.
    const segment = p.segments.segmentOf(firstIndex);
    const started = process.hrtime.bigint();
    let entryBuffer = Buffer.alloc(0);
    const offsets: number[] = [];
    const quarantinePayloads = newQuarantine.map((record) => encodeQuarantineRecord(record));
    const quarantineOffsets: number[] = [];
    let quarantineBuffer = Buffer.alloc(0);
    try {
      if (newEntries.length > 0) {
        if (!p.segments.segments.some((s) => s.first === segment)) {
          p.segments.createSegment(segment);
          this.#segmentEnd = p.segments.fileSize(segment);
        }
        if (this.#segmentTailDirty) {
          p.segments.truncate(segment, this.#segmentEnd);
          this.#segmentTailDirty = false;
        }
        entryBuffer = Buffer.allocUnsafe(newEntries.reduce((n, e) => n + framedLength(e.bytes), 0));
        let at = 0;
        for (const item of newEntries) {
          offsets.push(this.#segmentEnd + at);
          at = writeRecord(entryBuffer, at, item.bytes);
        }
      }
      if (newQuarantine.length > 0) {
        if (this.#quarantineTailDirty) {
          p.quarantineFile.discardTail();
          this.#quarantineTailDirty = false;
        }
        quarantineBuffer = Buffer.allocUnsafe(quarantinePayloads.reduce((n, q) => n + framedLength(q), 0));
        let at = 0;
        for (const payload of quarantinePayloads) {
          quarantineOffsets.push(p.quarantineFile.end + at);
          at = writeRecord(quarantineBuffer, at, payload);
        }
      }
      // Both settle before anything is cut back: a write still in flight must not land after the cut.
      await settleAll([
        newEntries.length > 0 ? p.segments.write(segment, entryBuffer, this.#segmentEnd) : undefined,
        newQuarantine.length > 0 ? p.quarantineFile.append(quarantineBuffer) : undefined,
      ]);
      await settleAll([
        newEntries.length > 0 ? p.segments.sync(segment) : undefined,
        newQuarantine.length > 0 ? p.quarantineFile.sync() : undefined,
      ]);
    } catch (error) {
      const failure = storageWriteError(error, 'appending to the log');
      this.#pendingSeq.rollback();
      this.#cutBack(segment, newEntries.length > 0, newQuarantine.length > 0);
      p.metrics?.storageErrors.inc({ code: failure.code });
      this.#log.error({ err: failure, records: decided.length }, 'group commit failed; nothing of it was acknowledged');
      this.#rejectAll(
        decided.map((d) => d.item),
        failure,
      );
      return;
    }
    const fsyncSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    p.metrics?.fsyncSeconds.observe(fsyncSeconds);
    p.metrics?.groupCommitEntries.observe(decided.length);

    // Durable from here: the entries have their indices whatever happens next.
    this.#segmentEnd += entryBuffer.length;
    this.#size = nextIndex;
    this.#nextQuarantineId = nextQuarantineId;
    if (newQuarantine.length > 0) p.quarantineFile.commit(p.quarantineFile.end + quarantineBuffer.length);
    const committed: CommittedEntry[] = newEntries.map((item, k) => ({
      index: firstIndex + k,
      entry: item.entry,
      bytes: item.bytes,
    }));

    // 4. Derived state. The batch's claims are decided for good: later decisions read them as pending rows.
    if (this.#pendingSeq.size === 0) this.#pendingSeqSince = performance.now();
    const pendingBefore = this.#pendingSeq.size;
    this.#pendingSeq.commit();
    const pendingRows = this.#pendingSeq.size;
    // Twice what this commit added, so that writing outruns any arrival rate: in bulk appends (thousands of
    // claims per commit) a fixed chunk would fall behind for good and the pending rows grow with the log.
    const writeLimit = Math.max(SEQ_INDEX_WRITE_CHUNK, 2 * (pendingRows - pendingBefore));
    // Once started, a round goes on chunk by chunk, commit after commit, until all its rows are written.
    this.#writingSeq ||= pendingRows >= SEQ_INDEX_FLUSH_ROWS || (pendingRows > 0 && performance.now() - this.#pendingSeqSince >= SEQ_INDEX_FLUSH_MS);
    let written: SeqRowChunk | null = null;
    try {
      p.offsets.append(offsets);
      p.tree.appendLeafHashes(newEntries.map((item) => leafHash(item.bytes)));
      this.#db.transaction(() => {
        if (this.#writingSeq) written = this.#writeSeqChunk(writeLimit);
        for (const [k, record] of newQuarantine.entries()) {
          this.#statements.quarantineInsert.run(
            record.id,
            record.receivedAtMs,
            record.transport,
            record.claimedDeviceId,
            record.reason,
            quarantineOffsets[k],
            framedLength(quarantinePayloads[k] ?? new Uint8Array()),
          );
        }
        this.#statements.meta.run('committed_size', String(this.#size));
        if (committed.length > 0) this.#applyProjections(committed);
      })();
      if (written !== null) {
        this.#pendingSeq.chunkWritten(written);
        // A round written: the next one starts once enough rows are pending again, or they are old enough.
        if (!this.#pendingSeq.writing) {
          this.#writingSeq = false;
          this.#pendingSeqSince = performance.now();
        }
      }
    } catch (error) {
      this.#derivedBehind = true;
      const failure = storageWriteError(error, 'updating the log index');
      p.metrics?.storageErrors.inc({ code: failure.code });
      this.#log.error({ err: failure }, 'derived state fell behind the log; it catches up before the next commit');
    }

    this.#entriesSinceSync += committed.length;
    if (this.#entriesSinceSync >= p.limits.syncDerivedEvery && !this.#derivedBehind) {
      this.#entriesSinceSync = 0;
      this.syncDerived().catch((error: unknown) => {
        this.#log.warn({ err: error }, 'could not sync the offset index and tree; recovery re-derives them');
      });
    }
    p.metrics?.entriesAppended.inc(committed.length);
    p.metrics?.quarantineRecords.inc(newQuarantine.length);
    p.metrics?.treeSize.set(this.#size);
    if (committed.length > 0) {
      for (const listener of [...this.#listeners]) {
        try {
          listener(committed);
        } catch (error) {
          this.#log.error({ err: error }, 'a committed-entries listener threw');
        }
      }
    }
    for (const d of decided) {
      if (d.item.kind === 'append') {
        d.item.resolve(d.outcome as AppendOutcome);
      } else {
        d.item.resolve(d.outcome as QuarantineRecord);
      }
    }
  }

  #decide(item: PendingAppend, index: number): { item: Pending; outcome: AppendOutcome } {
    const claim = item.claim;
    if (claim === undefined) return { item, outcome: { status: 'appended', index } };
    // One-shot SHA-256 of the original as received (what "same bytes" means for a retransmission).
    const hash = oneShotHash('sha256', item.entry.original, 'buffer');
    // A seq above every seq of its device is new (the usual case); only others are looked up: in this batch's
    // and the pending rows, then in the seq index table.
    const known = this.#beyondMaxSeq(claim) ? undefined : this.#lookupSeq(claim);
    if (known !== undefined) {
      const status = known.hash.equals(hash) ? 'duplicate' : 'conflict';
      return { item, outcome: { status, index: known.index } };
    }
    this.#pendingSeq.add(claim.deviceId, claim.seq, index, hash);
    return { item, outcome: { status: 'appended', index } };
  }

  /**
   * True if `claim.seq` is above every seq of its device in the index: then it is new without a lookup (devices
   * count up, so this is the common case). The cached maximum may be too high (a failed batch), which only
   * costs a lookup, never too low: it is dropped whenever rows are added other than by a commit's own claims.
   */
  #beyondMaxSeq(claim: SeqClaim): boolean {
    let max = this.#maxSeq.get(claim.deviceId);
    if (max === undefined) {
      const row = this.#statements.seqMax.get(claim.deviceId) as { max: number | null } | undefined;
      max = row?.max ?? -1;
      max = Math.max(max, this.#pendingSeq.maxSeq(claim.deviceId));
      this.#maxSeq.set(claim.deviceId, max);
    }
    if (claim.seq > max) {
      this.#maxSeq.set(claim.deviceId, claim.seq);
      return true;
    }
    return false;
  }

  #lookupSeq(claim: SeqClaim): { index: number; hash: Buffer } | undefined {
    const pending = this.#pendingSeq.find(claim.deviceId, claim.seq);
    if (pending !== undefined) return pending;
    const row = this.#statements.seqLookup.get(claim.deviceId, claim.seq) as SeqRow | undefined;
    return row === undefined ? undefined : { index: row.entry_index, hash: row.original_sha256 };
  }

  /**
   * Inserts the next devices' pending seq rows (at least `limit` rows, or the rest of the round), in the
   * caller's transaction, with how far the table is then complete; returns the chunk to pass to
   * `chunkWritten` once that transaction committed.
   */
  #writeSeqChunk(limit: number): SeqRowChunk {
    const chunk = this.#pendingSeq.writeChunk(limit, this.#size, (row) => this.#statements.seqInsert.run(row.deviceId, row.seq, row.index, row.hash));
    this.#statements.meta.run(SEQ_INDEXED_SIZE, String(chunk.seqIndexedSize));
    return chunk;
  }

  #applyProjections(committed: readonly CommittedEntry[]): void {
    const last = committed.at(-1);
    if (last === undefined) return;
    for (const projection of this.#p.projections) {
      if (this.#projectionsBehind.has(projection.name)) continue;
      try {
        this.#db.transaction(() => {
          projection.apply(this.#db, committed);
          this.#statements.watermark.run(projection.name, last.index + 1);
        })();
      } catch (error) {
        // Its savepoint is rolled back; it replays from its watermark on the next commit or open.
        this.#projectionsBehind.add(projection.name);
        this.#derivedBehind = true;
        this.#log.error({ err: error, projection: projection.name }, 'a projection failed; it replays from its watermark');
      }
    }
  }

  /** Brings offsets, tree, seq index and projections up to the log's size, from the files. */
  #catchUpDerived(): void {
    const p = this.#p;
    if (p.offsets.count < this.#size) {
      // The tree follows the offsets: entries with an offset but no leaf first, then the scan feeds both.
      catchUpTree(p.tree, p.offsets.count, (i) => this.readEntryUnchecked(i));
      const feeder = treeFeeder(p.tree);
      const scan = extendOffsetsFromSegments(p.segments, p.offsets, feeder.onEntry);
      feeder.finish();
      if (scan.size < this.#size) {
        throw new StorageError('E_STORAGE_CORRUPT', 'entries that were fsync\'d can no longer be read', {
          details: { size: this.#size, readable: scan.size },
        });
      }
    }
    catchUpTree(p.tree, this.#size, (i) => this.readEntry(i));
    catchUpSeqIndex(this.#db, this.#p.seqClaimOf, seqIndexedSize(this.#db), this.#size, (i) => this.readEntry(i));
    // Every claim up to the size is in the table now, the pending ones too.
    this.#pendingSeq.clear();
    this.#writingSeq = false;
    this.#maxSeq.clear();
    catchUpQuarantineIndex(this.#db, p.quarantineFile);
    for (const projection of p.projections) {
      replayProjection(this.#db, projection, this.#size, (i) => this.readEntry(i));
      this.#projectionsBehind.delete(projection.name);
    }
    this.#derivedBehind = false;
    this.#log.info({ size: this.#size }, 'derived state caught up with the log');
  }

  /** Reads an entry whose offset is indexed, even if the log's size says otherwise (catch-up only). */
  private readEntryUnchecked(index: number): Uint8Array {
    return this.#p.segments.readRecord(this.#p.segments.segmentOf(index), this.#p.offsets.read(index), index);
  }

  #cutBack(segment: number, entries: boolean, quarantine: boolean): void {
    if (entries) {
      try {
        this.#p.segments.truncate(segment, this.#segmentEnd);
      } catch {
        this.#segmentTailDirty = true;
      }
    }
    if (quarantine) {
      try {
        this.#p.quarantineFile.discardTail();
      } catch {
        this.#quarantineTailDirty = true;
      }
    }
  }

  #rejectAll(items: readonly Pending[], error: StorageError): void {
    for (const item of items) item.reject(error);
  }
}

/** Like Promise.all, but waits for every promise to settle before throwing the first failure. */
async function settleAll(promises: readonly (Promise<unknown> | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(promises.map((p) => p ?? Promise.resolve()));
  for (const result of results) if (result.status === 'rejected') throw result.reason;
}

function closedError(): StorageError {
  return new StorageError('E_STORAGE_CLOSED', 'the log is closed');
}

/** The meta key saying up to which log size the seq index table holds every claim. */
export const SEQ_INDEXED_SIZE = 'seq_indexed_size';

/**
 * How far the seq index table is complete. Directories written before the rows were deferred have no such key;
 * there the committed size was that point.
 */
export function seqIndexedSize(db: StateDatabase): number {
  const value = readMeta(db, SEQ_INDEXED_SIZE) ?? readMeta(db, 'committed_size');
  return value === undefined ? 0 : Number(value);
}

/** Rebuilds seq index rows for entries [from, to) from their bytes (after a crash or a failed commit). */
export function catchUpSeqIndex(
  db: StateDatabase,
  seqClaimOf: SeqClaimOf,
  from: number,
  to: number,
  readEntry: (index: number) => Uint8Array,
): void {
  if (from >= to) {
    if (from > to || readMeta(db, SEQ_INDEXED_SIZE) === undefined) writeMeta(db, SEQ_INDEXED_SIZE, to);
    return;
  }
  const insert = db.prepare(
    'INSERT OR IGNORE INTO seq_index (device_id, seq, entry_index, original_sha256) VALUES (?, ?, ?, ?)',
  );
  const CHUNK = 10_000;
  for (let start = from; start < to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK);
    db.transaction(() => {
      for (let i = start; i < end; i++) {
        const entry = decodeEntryBytes(readEntry(i));
        const claim = seqClaimOf(entry);
        if (claim === null) continue;
        insert.run(claim.deviceId, claim.seq, i, createHash('sha256').update(entry.original).digest());
      }
      writeMeta(db, SEQ_INDEXED_SIZE, end);
    })();
  }
}

/** Indexes quarantine records written to the file but missing from the index. */
export function catchUpQuarantineIndex(db: StateDatabase, file: FramedRecordFile): void {
  const last = db
    .prepare('SELECT id, file_offset, record_bytes FROM quarantine_index ORDER BY id DESC LIMIT 1')
    .get() as { id: number; file_offset: number; record_bytes: number } | undefined;
  const from = last === undefined ? 0 : last.file_offset + last.record_bytes;
  const insert = db.prepare(
    `INSERT OR IGNORE INTO quarantine_index (id, received_at_ms, transport, claimed_device_id, reason, file_offset, record_bytes)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    file.scan(from, (offset, payload) => {
      if (offset >= file.end) return;
      const record = decodeQuarantineRecord(payload);
      insert.run(
        record.id,
        record.receivedAtMs,
        record.transport,
        record.claimedDeviceId,
        record.reason,
        offset,
        payload.length + 8,
      );
    });
  })();
}

/** Replays entries past a projection's watermark into it, in chunks of one transaction each. */
export function replayProjection(
  db: StateDatabase,
  projection: LogProjection,
  to: number,
  readEntry: (index: number) => Uint8Array,
): void {
  const row = db.prepare('SELECT log_size FROM projection_watermarks WHERE name = ?').get(projection.name) as
    | { log_size: number }
    | undefined;
  const from = row?.log_size ?? 0;
  const setWatermark = db.prepare(
    'INSERT INTO projection_watermarks (name, log_size) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET log_size = excluded.log_size',
  );
  if (from > to) {
    throw new StorageError('E_STORAGE_CORRUPT', `projection ${projection.name} has seen more entries than the log holds`, {
      details: { projection: projection.name, watermark: from, size: to },
    });
  }
  const CHUNK = 5_000;
  for (let start = from; start < to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK);
    const committed: CommittedEntry[] = [];
    for (let i = start; i < end; i++) {
      const bytes = readEntry(i);
      committed.push({ index: i, entry: decodeEntryBytes(bytes), bytes });
    }
    db.transaction(() => {
      projection.apply(db, committed);
      setWatermark.run(projection.name, end);
    })();
  }
  if (row === undefined && from === to) setWatermark.run(projection.name, to);
}

export function listQuarantineRecords(
  db: StateDatabase,
  file: FramedRecordFile,
  filter: QuarantineFilter,
): QuarantineRecord[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (filter.reason !== undefined) {
    where.push('reason = ?');
    args.push(filter.reason);
  }
  if (filter.claimedDeviceId !== undefined) {
    where.push('claimed_device_id = ?');
    args.push(filter.claimedDeviceId);
  }
  if (filter.transport !== undefined) {
    where.push('transport = ?');
    args.push(filter.transport);
  }
  if (filter.fromMs !== undefined) {
    where.push('received_at_ms >= ?');
    args.push(filter.fromMs);
  }
  if (filter.toMs !== undefined) {
    where.push('received_at_ms < ?');
    args.push(filter.toMs);
  }
  if (filter.afterId !== undefined) {
    where.push('id > ?');
    args.push(filter.afterId);
  }
  const sql = `SELECT id, file_offset FROM quarantine_index ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
  const rows = db.prepare(sql).all(...args, quarantineListLimit(filter)) as QuarantineRow[];
  return rows.map((row) => decodeQuarantineRecord(file.read(row.file_offset)));
}

export function countQuarantineByReason(db: StateDatabase): Record<string, number> {
  const rows = db.prepare('SELECT reason, COUNT(*) AS n FROM quarantine_index GROUP BY reason').all() as {
    reason: string;
    n: number;
  }[];
  const out: Record<string, number> = {};
  for (const row of rows) out[row.reason] = row.n;
  return out;
}
