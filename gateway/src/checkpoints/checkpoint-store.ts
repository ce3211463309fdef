/**
 * Signed checkpoints, kept twice on purpose: appended to `checkpoints/checkpoints.tgc` (framed records, one
 * JSON object each, fsync'd: the durable record of what the gateway signed, beside the entries it covers) and
 * indexed in the state database's `checkpoints` table, together with the checkpoint's row in the anchoring
 * outbox (one transaction: the transactional outbox, so no checkpoint is ever signed and then forgotten).
 *
 * Record payload: `{"treeSize":N,"rootHash":"<base64>","signedAtMs":T,"note":"<signed note text>"}`.
 *
 * On open (writer) records of the file missing from the table (a crash between the fsync and the commit) are
 * indexed again; a torn last record (never published) is cut.
 */
import { FramedRecordFile } from '../storage/framed-record-file.js';
import { durably, type StateDatabase } from '../storage/state-database.js';
import { StorageError } from '../storage/storage-error.js';
import type { StorageFileSystem } from '../storage/storage-file-system.js';
import { frameRecord } from '../storage/record-framing.js';
import { storageWriteError } from '../storage/storage-write-error.js';

export const CHECKPOINT_FILE_MAGIC = 'TRIALGATE-CKP-1\n';

export interface StoredCheckpoint {
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** The whole signed note, exactly as signed. */
  readonly note: string;
  readonly signedAtMs: number;
}

interface CheckpointRow {
  readonly tree_size: number;
  readonly root_hash: Buffer;
  readonly note: string;
  readonly signed_at_ms: number;
}

export interface CheckpointListOptions {
  /** Only checkpoints with a larger tree size. */
  readonly afterSize?: number;
  /** Only checkpoints with a smaller tree size. */
  readonly beforeSize?: number;
  /** Newest first (default oldest first). */
  readonly descending?: boolean;
  /** Default 1000. */
  readonly limit?: number;
}

export class CheckpointStore {
  readonly #db: StateDatabase;
  readonly #file: FramedRecordFile | null;

  private constructor(db: StateDatabase, file: FramedRecordFile | null) {
    this.#db = db;
    this.#file = file;
  }

  /** Opens the checkpoint file; a writer re-indexes records missing from the table and cuts a torn tail. */
  static open(options: {
    readonly file: string;
    readonly fileSystem: StorageFileSystem;
    readonly db: StateDatabase;
    readonly readOnly: boolean;
  }): CheckpointStore {
    const file = FramedRecordFile.open({
      file: options.file,
      magic: CHECKPOINT_FILE_MAGIC,
      fileSystem: options.fileSystem,
      readOnly: options.readOnly,
    });
    const store = new CheckpointStore(options.db, file);
    if (!options.readOnly && file !== null) store.#recover(file);
    return store;
  }

  latest(): StoredCheckpoint | null {
    const row = this.#db
      .prepare('SELECT tree_size, root_hash, note, signed_at_ms FROM checkpoints ORDER BY tree_size DESC LIMIT 1')
      .get() as CheckpointRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  get(treeSize: number): StoredCheckpoint | null {
    const row = this.#db
      .prepare('SELECT tree_size, root_hash, note, signed_at_ms FROM checkpoints WHERE tree_size = ?')
      .get(treeSize) as CheckpointRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  /** The smallest checkpoint whose tree contains entry `index` (size > index). */
  firstContaining(index: number): StoredCheckpoint | null {
    const row = this.#db
      .prepare('SELECT tree_size, root_hash, note, signed_at_ms FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT 1')
      .get(index) as CheckpointRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  list(options: CheckpointListOptions = {}): StoredCheckpoint[] {
    const rows = this.#db
      .prepare(
        `SELECT tree_size, root_hash, note, signed_at_ms FROM checkpoints
         WHERE tree_size > ? AND tree_size < ? ORDER BY tree_size ${options.descending === true ? 'DESC' : 'ASC'} LIMIT ?`,
      )
      .all(
        options.afterSize ?? -1,
        options.beforeSize ?? Number.MAX_SAFE_INTEGER,
        Math.max(0, Math.min(options.limit ?? 1000, 100_000)),
      ) as CheckpointRow[];
    return rows.map(fromRow);
  }

  count(): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM checkpoints').get() as { n: number }).n;
  }

  /**
   * Stores a newly signed checkpoint: file record fsync'd first, then the table row and its outbox row in one
   * transaction committed with synchronous FULL. Sizes strictly increase (the checkpointer guarantees it; this
   * refuses anything else, so two checkpoints of one size can never exist).
   */
  async append(checkpoint: StoredCheckpoint, nowMs: number): Promise<void> {
    if (this.#file === null) throw new StorageError('E_STORAGE_FAILED', 'the checkpoint store is open read-only');
    const latest = this.latest();
    if (latest !== null && checkpoint.treeSize <= latest.treeSize) {
      throw new StorageError('E_STORAGE_FAILED', `checkpoint sizes must increase (${checkpoint.treeSize} after ${latest.treeSize})`, {
        details: { treeSize: checkpoint.treeSize, latest: latest.treeSize },
      });
    }
    const framed = frameRecord(encodeCheckpointRecord(checkpoint));
    let offset: number;
    try {
      offset = await this.#file.append(framed);
      await this.#file.sync();
    } catch (error) {
      try {
        this.#file.discardTail();
      } catch {
        // Cut on the next open (a torn tail).
      }
      throw storageWriteError(error, 'storing a checkpoint');
    }
    this.#file.commit(offset + framed.length);
    durably(this.#db, () => this.#index(checkpoint, offset, nowMs));
  }

  #index(checkpoint: StoredCheckpoint, offset: number, nowMs: number): void {
    this.#db
      .prepare(
        'INSERT OR IGNORE INTO checkpoints (tree_size, root_hash, note, signed_at_ms, file_offset) VALUES (?, ?, ?, ?, ?)',
      )
      .run(checkpoint.treeSize, Buffer.from(checkpoint.rootHash), checkpoint.note, checkpoint.signedAtMs, offset);
    this.#db
      .prepare('INSERT OR IGNORE INTO anchor_outbox (tree_size, attempts, next_attempt_at_ms) VALUES (?, 0, ?)')
      .run(checkpoint.treeSize, nowMs);
  }

  #recover(file: FramedRecordFile): void {
    const last = this.#db
      .prepare('SELECT file_offset FROM checkpoints ORDER BY tree_size DESC LIMIT 1')
      .get() as { file_offset: number } | undefined;
    const found: { checkpoint: StoredCheckpoint; offset: number }[] = [];
    // Everything indexed was fsync'd before: a damaged record before the last indexed one is not a torn tail.
    file.recover(last?.file_offset ?? 0, last === undefined ? 0 : last.file_offset + 1, (offset, payload) => {
      found.push({ checkpoint: decodeCheckpointRecord(payload), offset });
    });
    if (found.length === 0) return;
    this.#db.transaction(() => {
      for (const { checkpoint, offset } of found) this.#index(checkpoint, offset, checkpoint.signedAtMs);
    })();
  }

  close(): void {
    this.#file?.close();
  }
}

function fromRow(row: CheckpointRow): StoredCheckpoint {
  return {
    treeSize: row.tree_size,
    rootHash: new Uint8Array(row.root_hash),
    note: row.note,
    signedAtMs: row.signed_at_ms,
  };
}

function encodeCheckpointRecord(checkpoint: StoredCheckpoint): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      treeSize: checkpoint.treeSize,
      rootHash: Buffer.from(checkpoint.rootHash).toString('base64'),
      signedAtMs: checkpoint.signedAtMs,
      note: checkpoint.note,
    }),
    'utf8',
  );
}

/** Attacker-controlled: the checkpoint file's bytes (CRC-checked, parsed defensively). */
export function decodeCheckpointRecord(payload: Uint8Array): StoredCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (cause) {
    throw new StorageError('E_STORAGE_CORRUPT', 'a checkpoint record is not JSON', { cause });
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { treeSize, rootHash, signedAtMs, note } = v;
  if (
    typeof treeSize !== 'number' ||
    !Number.isSafeInteger(treeSize) ||
    treeSize < 0 ||
    typeof rootHash !== 'string' ||
    typeof signedAtMs !== 'number' ||
    typeof note !== 'string'
  ) {
    throw new StorageError('E_STORAGE_CORRUPT', 'a checkpoint record is damaged');
  }
  const root = Buffer.from(rootHash, 'base64');
  if (root.length !== 32) throw new StorageError('E_STORAGE_CORRUPT', 'a checkpoint record has a bad root hash');
  return { treeSize, rootHash: new Uint8Array(root), note, signedAtMs };
}
