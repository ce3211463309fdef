/**
 * Errors of the gateway's storage (the log, the tree files, the state database, quarantine).
 *
 * The codes are stable: ingestion maps them to "do not acknowledge" (the device retransmits later), the CLI to
 * exit codes and messages, the API to HTTP statuses.
 */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type StorageErrorCode =
  /** The log was closed; nothing more is accepted. */
  | 'E_STORAGE_CLOSED'
  /** An index or tree size beyond what the log holds. */
  | 'E_STORAGE_INDEX_RANGE'
  /** An entry larger than the storage accepts (`MAX_ENTRY_BYTES`). */
  | 'E_STORAGE_ENTRY_TOO_LARGE'
  /** The disk is full (ENOSPC / EDQUOT): nothing of the batch was kept; appends resume when space returns. */
  | 'E_STORAGE_NO_SPACE'
  /** Any other write or fsync error: nothing of the batch was kept. */
  | 'E_STORAGE_WRITE'
  /** Too many appends are waiting for the disk (back-pressure): not accepted, try again later. */
  | 'E_STORAGE_OVERLOADED'
  /** Stored bytes fail their checksum or framing somewhere other than an unacknowledged tail. */
  | 'E_STORAGE_CORRUPT'
  /** The entries no longer hash to a checkpoint the gateway signed: the log was altered. */
  | 'E_STORAGE_LOG_ALTERED'
  /** Another process (a running gateway) holds the data directory's writer lock. */
  | 'E_STORAGE_LOCKED'
  /** A failure after which the storage refuses writes until it is reopened (and re-verified). */
  | 'E_STORAGE_FAILED'
  /** The state database (SQLite) failed. */
  | 'E_STORAGE_STATE_DB'
  /** The data directory belongs to another log origin, or was written by an unknown format version. */
  | 'E_STORAGE_MISMATCH'
  /** The data directory does not exist or holds no log. */
  | 'E_STORAGE_NOT_FOUND';

export class StorageError extends TrialgateError<StorageErrorCode> {
  override readonly name: string = 'StorageError';

  constructor(code: StorageErrorCode, message: string, options: TrialgateErrorOptions = {}) {
    super(code, message, options);
  }
}

export function isStorageError(value: unknown, code?: StorageErrorCode): value is StorageError {
  return value instanceof StorageError && (code === undefined || value.code === code);
}
