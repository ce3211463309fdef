/**
 * A single append-only file of framed records (record-framing.ts) after a 16-byte magic line: the quarantine
 * store (`quarantine/quarantine.tgq`) and the signed checkpoints (`checkpoints/checkpoints.tgc`). The writer
 * keeps the end of the last whole record in memory and always writes there, so a failed or torn write is
 * overwritten (and truncated) by the next one and never sits between two records.
 */
import { RECORD_OVERHEAD, scanRecord } from './record-framing.js';
import { StorageError } from './storage-error.js';
import { readAt, writeAllSync, type StorageFileSystem } from './storage-file-system.js';
import { MAX_RECORD_BYTES } from './storage-limits.js';

export const MAGIC_BYTES = 16;

export type FramedScanEnd =
  | { readonly kind: 'end'; readonly offset: number }
  | { readonly kind: 'damaged'; readonly offset: number; readonly reason: string };

export class FramedRecordFile {
  readonly file: string;
  readonly #fs: StorageFileSystem;
  readonly #fd: number;
  readonly #readOnly: boolean;
  /** End of the last whole record (where the next write goes). */
  #end: number;

  private constructor(file: string, fileSystem: StorageFileSystem, fd: number, readOnly: boolean, end: number) {
    this.file = file;
    this.#fs = fileSystem;
    this.#fd = fd;
    this.#readOnly = readOnly;
    this.#end = end;
  }

  /** Opens (or, writable, creates) the file; `end` is set to its length, checked by `recover`. */
  static open(options: {
    readonly file: string;
    readonly magic: string;
    readonly fileSystem: StorageFileSystem;
    readonly readOnly: boolean;
  }): FramedRecordFile | null {
    const fileSystem = options.fileSystem;
    const magic = Buffer.from(options.magic, 'latin1');
    if (magic.length !== MAGIC_BYTES) throw new Error('the magic line is 16 bytes');
    const exists = fileSystem.existsSync(options.file);
    if (!exists && options.readOnly) return null;
    const fd = fileSystem.openSync(options.file, options.readOnly ? 'r' : exists ? 'r+' : 'w+');
    let size = fileSystem.fstatSize(fd);
    const head = readAt(fileSystem, fd, MAGIC_BYTES, 0);
    if (size < MAGIC_BYTES || !head.equals(magic)) {
      if (options.readOnly && size === 0) return new FramedRecordFile(options.file, fileSystem, fd, true, 0);
      // A file shorter than its magic line was being created at a crash: nothing was ever in it.
      if (size >= MAGIC_BYTES || options.readOnly) {
        fileSystem.closeSync(fd);
        throw new StorageError('E_STORAGE_CORRUPT', `${options.file} is not a Trialgate ${options.magic.trim()} file`, {
          details: { file: options.file },
        });
      }
      writeAllSync(fileSystem, fd, magic, 0);
      fileSystem.ftruncateSync(fd, MAGIC_BYTES);
      fileSystem.fdatasyncSync(fd);
      size = MAGIC_BYTES;
    }
    return new FramedRecordFile(options.file, fileSystem, fd, options.readOnly, size);
  }

  get end(): number {
    return this.#end;
  }

  /**
   * Walks the records from `offset` (default: after the magic line) and says where they stop. Attacker-
   * controlled: the file's bytes (see scanRecord).
   */
  scan(offset: number, onRecord: (offset: number, payload: Uint8Array) => void): FramedScanEnd {
    const size = this.#fs.fstatSize(this.#fd);
    let position = Math.max(offset, MAGIC_BYTES);
    while (position < size) {
      const head = readAt(this.#fs, this.#fd, 4, position);
      if (head.length < 4) return { kind: 'damaged', offset: position, reason: 'cut' };
      const length = head.readUInt32BE(0);
      const total = Math.min(length, MAX_RECORD_BYTES + 1) + RECORD_OVERHEAD;
      const bytes = readAt(this.#fs, this.#fd, Math.min(total, size - position), position);
      const scan = scanRecord(bytes, 0, MAX_RECORD_BYTES);
      if (scan.kind !== 'record') {
        return { kind: 'damaged', offset: position, reason: scan.kind === 'invalid' ? scan.reason : 'cut' };
      }
      onRecord(position, bytes.subarray(scan.payloadStart, scan.payloadStart + scan.length));
      position += scan.end;
    }
    return { kind: 'end', offset: position };
  }

  /**
   * Recovery on open (writer): keeps the records up to the first damaged one and cuts the rest, which was
   * never acknowledged (a torn tail), unless that would cut below `mustKeep` bytes (acknowledged records):
   * then the file is damaged and the storage refuses to start.
   */
  recover(scanFrom: number, mustKeep: number, onRecord: (offset: number, payload: Uint8Array) => void): void {
    const size = this.#fs.fstatSize(this.#fd);
    if (mustKeep > size || scanFrom > size) {
      throw new StorageError('E_STORAGE_CORRUPT', `${this.file} is shorter than the records indexed from it`, {
        details: { file: this.file, size, indexedUpTo: Math.max(mustKeep, scanFrom) },
      });
    }
    const end = this.scan(scanFrom, onRecord);
    if (end.kind === 'damaged') {
      if (end.offset < mustKeep) {
        throw new StorageError('E_STORAGE_CORRUPT', `${this.file} is damaged at byte ${end.offset}`, {
          details: { file: this.file, offset: end.offset, reason: end.reason },
        });
      }
      this.#fs.ftruncateSync(this.#fd, end.offset);
      this.#fs.fdatasyncSync(this.#fd);
    }
    this.#end = end.offset;
  }

  /** The payload of the record at `offset`, checked. Attacker-controlled: the file's bytes. */
  read(offset: number): Uint8Array {
    const head = readAt(this.#fs, this.#fd, 4, offset);
    const length = head.length === 4 ? head.readUInt32BE(0) : 0;
    const bytes = readAt(this.#fs, this.#fd, Math.min(length, MAX_RECORD_BYTES + 1) + RECORD_OVERHEAD, offset);
    const scan = scanRecord(bytes, 0, MAX_RECORD_BYTES);
    if (scan.kind !== 'record') {
      throw new StorageError('E_STORAGE_CORRUPT', `${this.file}: the record at byte ${offset} is damaged`, {
        details: { file: this.file, offset },
      });
    }
    return bytes.subarray(scan.payloadStart, scan.payloadStart + scan.length);
  }

  /** Writes framed records at the end (not yet durable: `sync`). On failure the tail is cut back. */
  async append(framed: Uint8Array): Promise<number> {
    if (this.#readOnly) throw new StorageError('E_STORAGE_FAILED', `${this.file} is open read-only`);
    const at = this.#end;
    await this.#fs.writeAll(this.#fd, framed, at);
    return at;
  }

  async sync(): Promise<void> {
    await this.#fs.fdatasync(this.#fd);
  }

  /** After a successful `append` + `sync`: the records are part of the file. */
  commit(newEnd: number): void {
    this.#end = newEnd;
  }

  /** After a failed append or sync: drop whatever part of it reached the file. */
  discardTail(): void {
    this.#fs.ftruncateSync(this.#fd, this.#end);
  }

  /** Length on disk, for read-only views that follow a live writer. */
  currentSize(): number {
    return this.#fs.fstatSize(this.#fd);
  }

  close(): void {
    this.#fs.closeSync(this.#fd);
  }
}
