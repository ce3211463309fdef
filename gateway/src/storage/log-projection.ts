/**
 * A derived view of the log kept in the gateway's state database (the device registry, schedules, ...).
 *
 * The log is the single source of truth: a projection's tables are updated from committed entries in one
 * SQLite transaction together with the projection's watermark (the log size it has seen), and on start the
 * storage replays every entry past the watermark. A crash between the log's fsync and the projection's
 * transaction therefore loses nothing: the view catches up from the log.
 *
 * The storage module runs projections; each feature (registry, downlink schedules) defines its own.
 */
import type { Database } from 'better-sqlite3';
import type { CommittedEntry } from './gateway-log.js';

export interface LogProjection {
  /** Unique, stable: it keys the projection's watermark. */
  readonly name: string;
  /** Creates or migrates the projection's tables (idempotent; runs on every open). */
  migrate(db: Database): void;
  /** Applies committed entries, in index order, inside a transaction the storage opens. */
  apply(db: Database, entries: readonly CommittedEntry[]): void;
}
