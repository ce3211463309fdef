/**
 * The entries, as received, in append-only segment files: the log's source of truth (docs/storage.md).
 *
 *   log/entries-<first index, 12 digits>.tglog
 *   header (32 bytes) = "TRIALGATE-LOG-1\n" || u64 BE first index || u32 BE capacity || u32 BE 0
 *   then one framed record per entry (record-framing.ts), entry `first + k` being the k-th record.
 *
 * A segment holds `capacity` entries (fixed when the log is created, written in every header), so the segment
 * of entry i is `floor(i / capacity)` and an auditor needs no index to walk the log. Only the last segment is
 * ever written; earlier ones are immutable and can be copied or hashed for backup.
 */
import path from 'node:path';
import { RECORD_OVERHEAD, scanRecord } from './record-framing.js';
import { StorageError } from './storage-error.js';
import { readAt, writeAllSync, type StorageFileSystem } from './storage-file-system.js';
import { MAX_ENTRY_BYTES } from './storage-limits.js';
import { storageWriteError } from './storage-write-error.js';

export const SEGMENT_MAGIC = Buffer.from('TRIALGATE-LOG-1\n', 'latin1');
export const SEGMENT_HEADER_BYTES = 32;
/** 2^20 entries (about 300 MB of typical readings) per segment. */
export const DEFAULT_SEGMENT_CAPACITY = 1 << 20;
const SCAN_CHUNK = 1 << 20;
const NAME_PATTERN = /^entries-(\d{12})\.tglog$/;

export function segmentFileName(first: number): string {
  return `entries-${String(first).padStart(12, '0')}.tglog`;
}

export function segmentHeader(first: number, capacity: number): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeBigUInt64BE(BigInt(first), 16);
  header.writeUInt32BE(capacity, 24);
  return header;
}

export interface SegmentInfo {
  readonly first: number;
  readonly file: string;
}

/** A record found by `scanSegment`. */
export interface ScannedRecord {
  readonly offset: number;
  readonly payload: Uint8Array;
}

export type SegmentScanEnd =
  | { readonly kind: 'end'; readonly offset: number }
  /** The scan stopped at a record that is cut or fails its checksum; `offset` is where it starts. */
  | { readonly kind: 'damaged'; readonly offset: number; readonly reason: string; readonly fileSize: number };

export class LogSegmentFiles {
  readonly directory: string;
  readonly capacity: number;
  readonly #fs: StorageFileSystem;
  readonly #readOnly: boolean;
  readonly #segments: SegmentInfo[];
  readonly #fds = new Map<number, number>();

  private constructor(
    directory: string,
    fileSystem: StorageFileSystem,
    readOnly: boolean,
    capacity: number,
    segments: SegmentInfo[],
  ) {
    this.directory = directory;
    this.#fs = fileSystem;
    this.#readOnly = readOnly;
    this.capacity = capacity;
    this.#segments = segments;
  }

  /**
   * Lists the segments and checks their names and headers. `capacity` is used when the log is new; an
   * existing log keeps the capacity in its headers.
   */
  static open(options: {
    readonly directory: string;
    readonly fileSystem: StorageFileSystem;
    readonly readOnly: boolean;
    readonly capacity: number;
  }): LogSegmentFiles {
    const fileSystem = options.fileSystem;
    if (!options.readOnly) fileSystem.mkdirSync(options.directory);
    const names = fileSystem.existsSync(options.directory) ? fileSystem.readdirSync(options.directory) : [];
    const segments: SegmentInfo[] = [];
    for (const name of names) {
      const match = NAME_PATTERN.exec(name);
      if (match?.[1] !== undefined) segments.push({ first: Number(match[1]), file: path.join(options.directory, name) });
    }
    segments.sort((a, b) => a.first - b.first);
    let capacity = options.capacity;
    const firstSegment = segments[0];
    if (firstSegment !== undefined) {
      const header = readHeader(fileSystem, firstSegment.file);
      if (header === null) {
        if (segments.length > 1 || options.readOnly) throw badHeader(firstSegment.file);
        // A first segment whose header never reached the disk: the log is empty; it is created again.
        fileSystem.unlinkSync(firstSegment.file);
        segments.length = 0;
      } else {
        capacity = header.capacity;
      }
    }
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new StorageError('E_STORAGE_CORRUPT', 'the log segments declare an invalid capacity', {
        details: { capacity },
      });
    }
    const files = new LogSegmentFiles(options.directory, fileSystem, options.readOnly, capacity, segments);
    files.#checkNames();
    return files;
  }

  get segments(): readonly SegmentInfo[] {
    return this.#segments;
  }

  segmentOf(index: number): number {
    return Math.floor(index / this.capacity) * this.capacity;
  }

  /** Creates the segment that starts at `first` (header written and fsync'd, directory fsync'd). */
  createSegment(first: number): void {
    if (this.#readOnly) throw new StorageError('E_STORAGE_FAILED', 'the log is open read-only');
    const last = this.#segments.at(-1);
    if (first % this.capacity !== 0 || first !== (last === undefined ? 0 : last.first + this.capacity)) {
      throw new StorageError('E_STORAGE_CORRUPT', `segment ${first} does not follow the last one`, {
        details: { first, last: last?.first ?? null },
      });
    }
    const file = path.join(this.directory, segmentFileName(first));
    let fd: number | undefined;
    try {
      fd = this.#fs.openSync(file, 'w+');
      writeAllSync(this.#fs, fd, segmentHeader(first, this.capacity), 0);
      this.#fs.fdatasyncSync(fd);
      this.#fs.fsyncDirectorySync(this.directory);
    } catch (error) {
      if (fd !== undefined) this.#fs.closeSync(fd);
      try {
        this.#fs.unlinkSync(file);
      } catch {
        // Open removes a first segment without a header; a later one is created again over it.
      }
      throw storageWriteError(error, 'creating a log segment');
    }
    this.#fds.set(first, fd);
    this.#segments.push({ first, file });
  }

  /** The current length of a segment file in bytes. */
  fileSize(first: number): number {
    return this.#fs.fstatSize(this.#fd(first));
  }

  async write(first: number, buffer: Uint8Array, position: number): Promise<void> {
    await this.#fs.writeAll(this.#fd(first), buffer, position);
  }

  async sync(first: number): Promise<void> {
    await this.#fs.fdatasync(this.#fd(first));
  }

  truncate(first: number, length: number): void {
    this.#fs.ftruncateSync(this.#fd(first), length);
  }

  truncateSync(first: number, length: number): void {
    const fd = this.#fd(first);
    this.#fs.ftruncateSync(fd, length);
    this.#fs.fdatasyncSync(fd);
  }

  /**
   * The entry bytes of the record at `offset` of segment `first`, checked against their checksum.
   * Attacker-controlled: the file's bytes (see scanRecord).
   */
  readRecord(first: number, offset: number, index: number): Uint8Array {
    const fd = this.#fd(first);
    let bytes = readAt(this.#fs, fd, 512, offset);
    let scan = scanRecord(bytes, 0);
    if (scan.kind === 'incomplete' && bytes.length === 512) {
      bytes = readAt(this.#fs, fd, Math.min(scan.needed, MAX_ENTRY_BYTES + RECORD_OVERHEAD), offset);
      scan = scanRecord(bytes, 0);
    }
    if (scan.kind !== 'record') {
      throw new StorageError('E_STORAGE_CORRUPT', `entry ${index} fails its checksum or framing`, {
        details: { index, segment: first, offset, problem: scan.kind === 'invalid' ? scan.reason : 'cut' },
      });
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset + scan.payloadStart, scan.length).slice();
  }

  /**
   * Walks the records of segment `first` from `offset`, calling `onRecord` for each whole one, and says where
   * it stopped: at the end of the file, or at a record that is cut or fails its checksum. Reads in 1 MiB
   * chunks. Attacker-controlled: the file's bytes.
   */
  scanSegment(first: number, offset: number, onRecord: (record: ScannedRecord) => boolean | void): SegmentScanEnd {
    const fd = this.#fd(first);
    const fileSize = this.#fs.fstatSize(fd);
    let position = offset;
    while (position < fileSize) {
      const chunk = readAt(this.#fs, fd, Math.min(SCAN_CHUNK, fileSize - position), position);
      let at = 0;
      for (;;) {
        if (at >= chunk.length) break;
        const scan = scanRecord(chunk, at);
        if (scan.kind === 'record') {
          const payload = new Uint8Array(chunk.buffer, chunk.byteOffset + scan.payloadStart, scan.length);
          if (onRecord({ offset: position + at, payload }) === false) return { kind: 'end', offset: position + scan.end };
          at = scan.end;
          continue;
        }
        if (scan.kind === 'invalid') {
          return { kind: 'damaged', offset: position + at, reason: scan.reason, fileSize };
        }
        // Incomplete: the record goes past this chunk (read on) or past the end of the file (cut).
        if (position + at + scan.needed > fileSize) {
          return { kind: 'damaged', offset: position + at, reason: 'cut', fileSize };
        }
        if (at === 0) {
          // A record longer than one chunk: read it whole.
          const whole = readAt(this.#fs, fd, scan.needed, position);
          const again = scanRecord(whole, 0);
          if (again.kind !== 'record') {
            return { kind: 'damaged', offset: position, reason: again.kind === 'invalid' ? again.reason : 'cut', fileSize };
          }
          const payload = new Uint8Array(whole.buffer, whole.byteOffset + again.payloadStart, again.length);
          if (onRecord({ offset: position, payload }) === false) return { kind: 'end', offset: position + again.end };
          at = again.end;
        }
        break;
      }
      position += at;
    }
    return { kind: 'end', offset: position };
  }

  close(): void {
    for (const fd of this.#fds.values()) this.#fs.closeSync(fd);
    this.#fds.clear();
  }

  #fd(first: number): number {
    let fd = this.#fds.get(first);
    if (fd === undefined) {
      const info = this.#segments.find((s) => s.first === first);
      if (info === undefined) {
        throw new StorageError('E_STORAGE_CORRUPT', `log segment ${first} is missing`, { details: { first } });
      }
      fd = this.#fs.openSync(info.file, this.#readOnly ? 'r' : 'r+');
      this.#fds.set(first, fd);
    }
    return fd;
  }

  #checkNames(): void {
    for (const [k, segment] of this.#segments.entries()) {
      if (segment.first !== k * this.capacity) {
        throw new StorageError('E_STORAGE_CORRUPT', `log segments are not contiguous at ${segment.file}`, {
          details: { expectedFirst: k * this.capacity, found: segment.first },
        });
      }
      if (k > 0) {
        const header = readHeader(this.#fs, segment.file);
        const isLast = k === this.#segments.length - 1;
        if (header === null && isLast && !this.#readOnly) {
          // A segment created at the instant of a crash, header never fsync'd: no entry can be in it.
          this.#fs.unlinkSync(segment.file);
          this.#segments.pop();
          return;
        }
        if (header === null || header.first !== segment.first || header.capacity !== this.capacity) {
          throw badHeader(segment.file);
        }
      }
    }
  }
}

function readHeader(fileSystem: StorageFileSystem, file: string): { first: number; capacity: number } | null {
  const fd = fileSystem.openSync(file, 'r');
  try {
    const header = readAt(fileSystem, fd, SEGMENT_HEADER_BYTES, 0);
    if (header.length < SEGMENT_HEADER_BYTES || !header.subarray(0, 16).equals(SEGMENT_MAGIC)) return null;
    const first = Number(header.readBigUInt64BE(16));
    return { first, capacity: header.readUInt32BE(24) };
  } finally {
    fileSystem.closeSync(fd);
  }
}

function badHeader(file: string): StorageError {
  return new StorageError('E_STORAGE_CORRUPT', `${path.basename(file)} is not a Trialgate log segment`, {
    details: { file },
  });
}
