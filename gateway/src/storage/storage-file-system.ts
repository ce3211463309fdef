/**
 * The file-system port of the storage (STYLE.md rule 5): every call the storage makes on files goes through
 * it, so tests inject failures (ENOSPC, EIO) at any write or fsync without a full disk, and the benchmark
 * measures the real thing through `nodeFileSystem`.
 *
 * Entry and quarantine writes and their fsyncs are asynchronous (libuv's thread pool), so the event loop keeps
 * accepting appends while a group commit is on disk; reads and the small writes of derived files are
 * synchronous positioned calls (pread/pwrite against the page cache).
 */
import fs from 'node:fs';

export interface StorageFileSystem {
  openSync(path: string, flags: string, mode?: number): number;
  closeSync(fd: number): void;
  fstatSize(fd: number): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  ftruncateSync(fd: number, length: number): void;
  fdatasyncSync(fd: number): void;
  /** Writes all of `buffer` at `position` (looping over short writes). */
  writeAll(fd: number, buffer: Uint8Array, position: number): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  mkdirSync(path: string): void;
  readdirSync(path: string): string[];
  existsSync(path: string): boolean;
  unlinkSync(path: string): void;
  /** fsync of a directory, so that a file created or renamed in it survives power loss. */
  fsyncDirectorySync(path: string): void;
}

export const nodeFileSystem: StorageFileSystem = {
  openSync: (path, flags, mode) => fs.openSync(path, flags, mode),
  closeSync: (fd) => fs.closeSync(fd),
  fstatSize: (fd) => fs.fstatSync(fd).size,
  readSync: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  writeAll: async (fd, buffer, position) => {
    let done = 0;
    while (done < buffer.length) {
      const written = await new Promise<number>((resolve, reject) => {
        fs.write(fd, buffer, done, buffer.length - done, position + done, (error, n) =>
          error === null ? resolve(n) : reject(error),
        );
      });
      done += written;
    }
  },
  fdatasync: (fd) =>
    new Promise<void>((resolve, reject) => {
      fs.fdatasync(fd, (error) => (error === null ? resolve() : reject(error)));
    }),
  mkdirSync: (path) => {
    fs.mkdirSync(path, { recursive: true });
  },
  readdirSync: (path) => fs.readdirSync(path),
  existsSync: (path) => fs.existsSync(path),
  unlinkSync: (path) => fs.unlinkSync(path),
  fsyncDirectorySync: (path) => {
    const fd = fs.openSync(path, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

/** Reads exactly `length` bytes at `position`, or fewer at end of file; returns the bytes read. */
export function readAt(fileSystem: StorageFileSystem, fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fileSystem.readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

/** Writes all of `buffer` at `position` synchronously (looping over short writes). */
export function writeAllSync(fileSystem: StorageFileSystem, fd: number, buffer: Uint8Array, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    done += fileSystem.writeSync(fd, buffer, done, buffer.length - done, position + done);
  }
}
