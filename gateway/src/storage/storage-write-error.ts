/**
 * Turns a failed write or fsync into the storage's typed error: a full disk (ENOSPC, EDQUOT) is
 * `E_STORAGE_NO_SPACE`, anything else `E_STORAGE_WRITE`. The OS error stays as the cause.
 */
import { StorageError } from './storage-error.js';

export function storageWriteError(cause: unknown, doing: string): StorageError {
  if (cause instanceof StorageError) return cause;
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const osCode = typeof code === 'string' ? code : 'unknown';
  // SQLITE_FULL: the state database's file system is full (better-sqlite3 reports SQLite's code).
  if (osCode === 'ENOSPC' || osCode === 'EDQUOT' || osCode === 'SQLITE_FULL') {
    return new StorageError('E_STORAGE_NO_SPACE', `the disk is full (${doing})`, { details: { osCode }, cause });
  }
  return new StorageError('E_STORAGE_WRITE', `a write failed (${doing}): ${osCode}`, { details: { osCode }, cause });
}
