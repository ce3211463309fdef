/**
 * Where each entry's record starts in its segment: `log/offsets.idx`, one u64 BE per entry, entry i at byte
 * `8 * i`. Derived data (rebuilt by scanning the segments), so reading entry i is one positioned read here
 * and one in the segment, whatever the log size, with nothing per entry in memory.
 */
import path from 'node:path';
import { StorageError } from './storage-error.js';
import { readAt, writeAllSync, type StorageFileSystem } from './storage-file-system.js';

const WIDTH = 8;

export class EntryOffsetIndex {
  readonly #fs: StorageFileSystem;
  readonly #fd: number;
  readonly #readOnly: boolean;
  #count: number;

  private constructor(fileSystem: StorageFileSystem, fd: number, count: number, readOnly: boolean) {
    this.#fs = fileSystem;
    this.#fd = fd;
    this.#count = count;
    this.#readOnly = readOnly;
  }

  static open(options: {
    readonly directory: string;
    readonly fileSystem: StorageFileSystem;
    readonly readOnly: boolean;
  }): EntryOffsetIndex {
    const file = path.join(options.directory, 'offsets.idx');
    const fileSystem = options.fileSystem;
    if (options.readOnly && !fileSystem.existsSync(file)) {
      throw new StorageError('E_STORAGE_NOT_FOUND', 'the log has no offset index', { details: { file } });
    }
    const fd = fileSystem.openSync(file, options.readOnly ? 'r' : fileSystem.existsSync(file) ? 'r+' : 'w+');
    const size = fileSystem.fstatSize(fd);
    const count = Math.floor(size / WIDTH);
    if (!options.readOnly && size !== count * WIDTH) fileSystem.ftruncateSync(fd, count * WIDTH);
    return new EntryOffsetIndex(fileSystem, fd, count, options.readOnly);
  }

  get count(): number {
    return this.#count;
  }

  /** For a read-only view of a live log: re-reads the file's length. */
  refresh(): void {
    this.#count = Math.floor(this.#fs.fstatSize(this.#fd) / WIDTH);
  }

  read(index: number): number {
    if (index >= this.#count) {
      throw new StorageError('E_STORAGE_INDEX_RANGE', `no offset for entry ${index}`, { details: { index } });
    }
    const bytes = readAt(this.#fs, this.#fd, WIDTH, index * WIDTH);
    if (bytes.length !== WIDTH) throw new StorageError('E_STORAGE_CORRUPT', `offset of entry ${index} is unreadable`);
    return Number(bytes.readBigUInt64BE(0));
  }

  /** Appends the offsets of entries `count`, `count + 1`, ... */
  append(offsets: readonly number[]): void {
    if (offsets.length === 0) return;
    const buffer = Buffer.allocUnsafe(offsets.length * WIDTH);
    // u64 BE as two u32 (offsets are safe integers): no BigInt per entry on the commit path.
    for (let i = 0; i < offsets.length; i += 1) {
      const offset = offsets[i] ?? 0;
      buffer.writeUInt32BE(Math.floor(offset / 0x1_0000_0000), i * WIDTH);
      buffer.writeUInt32BE(offset >>> 0, i * WIDTH + 4);
    }
    try {
      writeAllSync(this.#fs, this.#fd, buffer, this.#count * WIDTH);
    } catch (error) {
      try {
        this.#fs.ftruncateSync(this.#fd, this.#count * WIDTH);
      } catch {
        // Repaired on the next open (whole u64s only) and refilled from the segments.
      }
      throw error;
    }
    this.#count += offsets.length;
  }

  truncateTo(count: number): void {
    if (this.#readOnly || count >= this.#count) return;
    this.#fs.ftruncateSync(this.#fd, count * WIDTH);
    this.#count = count;
  }

  sync(): void {
    this.#fs.fdatasyncSync(this.#fd);
  }

  async syncAsync(): Promise<void> {
    await this.#fs.fdatasync(this.#fd);
  }

  close(): void {
    this.#fs.closeSync(this.#fd);
  }
}
