/**
 * The single-writer lock of a data directory: a running gateway (or a command that writes) holds it; a
 * second writer is refused with `E_STORAGE_LOCKED`.
 *
 * It is an exclusive SQLite lock on `gateway.lock` (a tiny database), which is a POSIX advisory lock held by
 * the process: the kernel releases it when the process dies, even by kill -9, so there is never a stale lock
 * to clean up and no PID guessing. The holder's pid and start time are written into it for the error message
 * (readable only once the lock is free; `gateway.pid` beside it says who holds it now).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageError } from './storage-error.js';

export const LOCK_FILE = 'gateway.lock';
const PID_FILE = 'gateway.pid';

export interface DataDirectoryLock {
  readonly dataDir: string;
  release(): void;
}

export function acquireDataDirectoryLock(dataDir: string, holder = 'gateway'): DataDirectoryLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('journal_mode = DELETE');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER, what TEXT, since TEXT)');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder VALUES (?, ?, ?)').run(process.pid, holder, new Date().toISOString());
    db.exec('COMMIT');
  } catch (cause) {
    db.close();
    throw lockedError(dataDir, cause);
  }
  try {
    fs.writeFileSync(path.join(dataDir, PID_FILE), `${process.pid} ${holder}\n`);
  } catch {
    // Informational only.
  }
  let released = false;
  return {
    dataDir,
    release: () => {
      if (released) return;
      released = true;
      try {
        fs.rmSync(path.join(dataDir, PID_FILE), { force: true });
      } finally {
        db.close();
      }
    },
  };
}

/** True if a live process holds the writer lock of `dataDir`. */
export function isDataDirectoryLocked(dataDir: string): boolean {
  const file = path.join(dataDir, LOCK_FILE);
  if (!fs.existsSync(file)) return false;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 0');
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return false;
  } catch {
    return true;
  } finally {
    db?.close();
  }
}

function lockedError(dataDir: string, cause: unknown): StorageError {
  let who = 'another process';
  try {
    const text = fs.readFileSync(path.join(dataDir, PID_FILE), 'utf8').trim();
    const [pid, what] = text.split(' ');
    if (pid !== undefined) who = `${what ?? 'a process'} (pid ${pid})`;
  } catch {
    // No pid file: say "another process".
  }
  return new StorageError(
    'E_STORAGE_LOCKED',
    `the data directory ${dataDir} is in use by ${who}; stop it first, or use the gateway's HTTP API`,
    { details: { dataDir }, cause },
  );
}
