/**
 * The gateway's state database: SQLite through better-sqlite3, in WAL mode, for indexes and mutable state
 * (docs/storage.md). It is never the source of truth for an entry: the seq index, quarantine index and
 * projections are rebuilt from the append-only files if they fall behind; the checkpoints table indexes the
 * append-only checkpoint file. Anchor states, the anchoring outbox and API tokens live only here.
 *
 * `synchronous = NORMAL` in WAL mode: a commit survives a process crash (kill -9) at once and power loss from
 * the next WAL checkpoint on; what power loss can take is replayed from the files. Writes that are the only
 * copy of something (tokens, anchor results, the outbox) use `durably()`, which commits with FULL.
 *
 * Readers (export, keys, lists) open it read-only alongside a running gateway: WAL lets them read a consistent
 * snapshot while the gateway writes.
 */
import Database from 'better-sqlite3';
import { StorageError } from './storage-error.js';

export type StateDatabase = Database.Database;

export const STATE_FORMAT = 'tg-gateway-state/1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- (device, seq) -> (index, SHA-256 of the original bytes): duplicate and conflict decisions (issue 3).
CREATE TABLE IF NOT EXISTS seq_index (
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  entry_index INTEGER NOT NULL,
  original_sha256 BLOB NOT NULL,
  PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;

-- Where each quarantine record is in the quarantine file, with the fields lists filter on.
CREATE TABLE IF NOT EXISTS quarantine_index (
  id INTEGER PRIMARY KEY,
  received_at_ms INTEGER NOT NULL,
  transport TEXT NOT NULL,
  claimed_device_id TEXT,
  reason TEXT NOT NULL,
  file_offset INTEGER NOT NULL,
  record_bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS quarantine_by_reason ON quarantine_index (reason, id);
CREATE INDEX IF NOT EXISTS quarantine_by_device ON quarantine_index (claimed_device_id, id);
CREATE INDEX IF NOT EXISTS quarantine_by_time ON quarantine_index (received_at_ms);

CREATE TABLE IF NOT EXISTS projection_watermarks (
  name TEXT PRIMARY KEY,
  log_size INTEGER NOT NULL
) WITHOUT ROWID;

-- Signed checkpoints (the note as signed), indexing the append-only checkpoint file.
CREATE TABLE IF NOT EXISTS checkpoints (
  tree_size INTEGER PRIMARY KEY,
  root_hash BLOB NOT NULL,
  note TEXT NOT NULL,
  signed_at_ms INTEGER NOT NULL,
  file_offset INTEGER NOT NULL
);

-- One row per checkpoint and chain: the latest state the anchor service reported.
CREATE TABLE IF NOT EXISTS anchors (
  tree_size INTEGER NOT NULL,
  chain_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  tx_hash TEXT,
  from_address TEXT,
  block_number INTEGER,
  block_hash TEXT,
  superseded_by INTEGER,
  error_code TEXT,
  error_message TEXT,
  observed_at_ms INTEGER NOT NULL,
  PRIMARY KEY (tree_size, chain_id)
) WITHOUT ROWID;

-- Checkpoints to hand to the anchor queue (transactional outbox).
CREATE TABLE IF NOT EXISTS anchor_outbox (
  tree_size INTEGER PRIMARY KEY,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT,
  handed_over_at_ms INTEGER
);
CREATE INDEX IF NOT EXISTS anchor_outbox_pending ON anchor_outbox (handed_over_at_ms, tree_size);

-- API tokens, stored as SHA-256 of the token: the token itself is shown once and never kept.
CREATE TABLE IF NOT EXISTS api_tokens (
  id TEXT PRIMARY KEY,
  token_sha256 BLOB NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  label TEXT,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
) WITHOUT ROWID;
`;

export interface OpenStateDatabaseOptions {
  readonly file: string;
  readonly readOnly: boolean;
}

export function openStateDatabase(options: OpenStateDatabaseOptions): StateDatabase {
  let db: StateDatabase;
  try {
    db = new Database(options.file, { readonly: options.readOnly, fileMustExist: options.readOnly });
  } catch (cause) {
    throw new StorageError(
      options.readOnly ? 'E_STORAGE_NOT_FOUND' : 'E_STORAGE_STATE_DB',
      `cannot open the state database ${options.file}`,
      { details: { file: options.file }, cause },
    );
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!options.readOnly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      const format = readMeta(db, 'format');
      if (format === undefined) writeMeta(db, 'format', STATE_FORMAT);
      else if (format !== STATE_FORMAT) throw mismatch(format);
    } else {
      const format = readMeta(db, 'format');
      if (format !== undefined && format !== STATE_FORMAT) throw mismatch(format);
    }
  } catch (error) {
    db.close();
    if (error instanceof StorageError) throw error;
    throw new StorageError('E_STORAGE_STATE_DB', 'the state database could not be prepared', { cause: error });
  }
  return db;
}

export function readMeta(db: StateDatabase, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function readMetaNumber(db: StateDatabase, key: string): number {
  const value = readMeta(db, key);
  return value === undefined ? 0 : Number(value);
}

export function writeMeta(db: StateDatabase, key: string, value: string | number): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    String(value),
  );
}

/** Runs `body` in a transaction committed with `synchronous = FULL`: for state that exists nowhere else. */
export function durably<T>(db: StateDatabase, body: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return db.transaction(body)();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

function mismatch(format: string): StorageError {
  return new StorageError('E_STORAGE_MISMATCH', `the state database has format ${format}, expected ${STATE_FORMAT}`, {
    details: { format, expected: STATE_FORMAT },
  });
}
