/**
 * A `StorageFileSystem` over the real one that fails on demand: writes (after some bytes, as a disk that
 * fills up mid-write does) and fsyncs, with any OS error code. For the storage's failure tests (ENOSPC, EIO).
 */
import { nodeFileSystem, type StorageFileSystem } from '../storage-file-system.js';

export interface FailingFileSystem extends StorageFileSystem {
  /** Fail writes with `code` once `afterBytes` more bytes have been written (default 0: at once). */
  failWrites(code: string, options?: { readonly afterBytes?: number; readonly pathIncludes?: string }): void;
  /** Fail every fsync with `code`. */
  failSyncs(code: string): void;
  /** Stop failing. */
  heal(): void;
  /** Number of fdatasync calls made. */
  readonly syncCount: number;
}

function osError(code: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: simulated failure`) as NodeJS.ErrnoException;
  error.code = code;
  return error;
}

export function failingFileSystem(base: StorageFileSystem = nodeFileSystem): FailingFileSystem {
  let writeFailure: { code: string; budget: number; pathIncludes: string | undefined } | null = null;
  let syncFailure: string | null = null;
  let syncs = 0;
  const paths = new Map<number, string>();

  /** Returns how many of `length` bytes may be written before failing (or null: no failure). */
  const allowance = (fd: number, length: number): number | null => {
    if (writeFailure === null) return null;
    if (writeFailure.pathIncludes !== undefined && !(paths.get(fd) ?? '').includes(writeFailure.pathIncludes)) {
      return null;
    }
    if (writeFailure.budget >= length) {
      writeFailure.budget -= length;
      return null;
    }
    const allowed = writeFailure.budget;
    writeFailure.budget = 0;
    return allowed;
  };

  return {
    ...base,
    openSync: (file, flags, mode) => {
      const fd = base.openSync(file, flags, mode);
      paths.set(fd, file);
      return fd;
    },
    writeSync: (fd, buffer, offset, length, position) => {
      const allowed = allowance(fd, length);
      if (allowed === null) return base.writeSync(fd, buffer, offset, length, position);
      if (allowed > 0) base.writeSync(fd, buffer, offset, allowed, position);
      throw osError(writeFailure?.code ?? 'EIO');
    },
    writeAll: async (fd, buffer, position) => {
      const allowed = allowance(fd, buffer.length);
      if (allowed === null) return base.writeAll(fd, buffer, position);
      if (allowed > 0) await base.writeAll(fd, buffer.subarray(0, allowed), position);
      throw osError(writeFailure?.code ?? 'EIO');
    },
    fdatasync: async (fd) => {
      syncs += 1;
      if (syncFailure !== null) throw osError(syncFailure);
      return base.fdatasync(fd);
    },
    fdatasyncSync: (fd) => {
      syncs += 1;
      if (syncFailure !== null) throw osError(syncFailure);
      base.fdatasyncSync(fd);
    },
    failWrites: (code, options = {}) => {
      writeFailure = { code, budget: options.afterBytes ?? 0, pathIncludes: options.pathIncludes };
    },
    failSyncs: (code) => {
      syncFailure = code;
    },
    heal: () => {
      writeFailure = null;
      syncFailure = null;
    },
    get syncCount() {
      return syncs;
    },
  };
}
