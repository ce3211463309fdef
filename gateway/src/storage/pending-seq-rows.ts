/**
 * Seq claims of appended entries that are not yet rows of the seq index table (durable-gateway-log.ts writes
 * them in bulk; docs/storage.md, "Appends"), kept so that decisions read them exactly as if they were rows.
 *
 * A commit adds its claims tentatively while it decides (so that a claim repeated within the batch is seen),
 * then either `commit()`s them once its fsync succeeded or `rollback()`s them when it failed. Stored in flat
 * arrays, not an object per row: they live for up to a second or two, long enough for the garbage collector
 * to copy and promote per-row objects (measured in bench/suites/ingest.ts). Each device's rows are chained
 * newest first, so a lookup walks only that device's rows.
 *
 * Rows are written to the table oldest first, a chunk per commit (`writeChunk`), so that no commit stalls the
 * event loop for long. Once written, a row is the table's: lookups here stop at it, and its room is reclaimed
 * (the rows still pending move to the front once the written ones are at least half, and the arrays shrink
 * when mostly empty), so memory follows the rows pending, not the rows ever added: under bulk appends writing
 * may never catch up completely, and the arrays must not grow with the log (bench/suites/memory.ts).
 */
export interface PendingSeqRow {
  readonly deviceId: string;
  readonly seq: number;
  readonly index: number;
  /** SHA-256 of the original bytes (a view: copy to keep). */
  readonly hash: Uint8Array;
}

const HASH_BYTES = 32;
const MIN_CAPACITY = 1024;

export class PendingSeqRows {
  #capacity = MIN_CAPACITY;
  #devices: string[] = [];
  #seqs = new Float64Array(this.#capacity);
  #indices = new Float64Array(this.#capacity);
  /** Position of the same device's previous row, or -1. */
  #previous = new Int32Array(this.#capacity);
  #hashes = new Uint8Array(this.#capacity * HASH_BYTES);
  /** Position of each device's newest row (tentative ones included). */
  readonly #newest = new Map<string, number>();
  #committed = 0;
  #tentative = 0;
  /** Rows [0, written) are in the table: no longer read here, their room reclaimed by `#compact`. */
  #written = 0;

  /** Committed rows not yet written to the table. */
  get size(): number {
    return this.#committed - this.#written;
  }

  /** Rows the arrays have room for (memory follows it). */
  get capacity(): number {
    return this.#capacity;
  }

  /** Adds a tentative row (this commit's; see `commit` and `rollback`). `hash` is copied. */
  add(deviceId: string, seq: number, index: number, hash: Uint8Array): void {
    const position = this.#committed + this.#tentative;
    if (position === this.#capacity) this.#resize(this.#capacity * 2);
    this.#devices[position] = deviceId;
    this.#seqs[position] = seq;
    this.#indices[position] = index;
    this.#previous[position] = this.#newest.get(deviceId) ?? -1;
    this.#hashes.set(hash.subarray(0, HASH_BYTES), position * HASH_BYTES);
    this.#newest.set(deviceId, position);
    this.#tentative += 1;
  }

  /** The tentative rows become pending rows (their entries are durable). */
  commit(): void {
    this.#committed += this.#tentative;
    this.#tentative = 0;
  }

  /** Drops the tentative rows (their entries were not written). */
  rollback(): void {
    for (let position = this.#committed + this.#tentative - 1; position >= this.#committed; position -= 1) {
      const deviceId = this.#devices[position] ?? '';
      const previous = this.#previous[position] ?? -1;
      if (previous < 0) this.#newest.delete(deviceId);
      else this.#newest.set(deviceId, previous);
    }
    this.#tentative = 0;
  }

  /** The row of (device, seq), tentative or pending, or undefined. */
  find(deviceId: string, seq: number): { readonly index: number; readonly hash: Buffer } | undefined {
    for (let position = this.#newest.get(deviceId) ?? -1; position >= this.#written; position = this.#previous[position] ?? -1) {
      if (this.#seqs[position] === seq) {
        return { index: this.#indices[position] ?? 0, hash: Buffer.from(this.#hashAt(position)) };
      }
    }
    return undefined;
  }

  /** The highest seq among the device's rows, or -1. */
  maxSeq(deviceId: string): number {
    let max = -1;
    for (let position = this.#newest.get(deviceId) ?? -1; position >= this.#written; position = this.#previous[position] ?? -1) {
      max = Math.max(max, this.#seqs[position] ?? -1);
    }
    return max;
  }

  /**
   * Calls `write` for the oldest `limit` rows not yet written, device by device in ascending seq order (B-tree
   * locality). Returns the log size up to which the table then holds every claim: the entry index of the
   * first row still unwritten, or `logSize` when none is left. Call `chunkWritten` once the caller's
   * transaction committed (a rolled-back one leaves the rows unwritten).
   */
  writeChunk(limit: number, logSize: number, write: (row: PendingSeqRow) => void): { readonly upTo: number; readonly seqIndexedSize: number } {
    const from = this.#written;
    const upTo = Math.min(this.#committed, from + limit);
    const byDevice = new Map<string, number[]>();
    for (let position = from; position < upTo; position += 1) {
      const deviceId = this.#devices[position] ?? '';
      const positions = byDevice.get(deviceId);
      if (positions === undefined) byDevice.set(deviceId, [position]);
      else positions.push(position);
    }
    for (const positions of byDevice.values()) {
      positions.sort((a, b) => (this.#seqs[a] ?? 0) - (this.#seqs[b] ?? 0));
      for (const position of positions) {
        write({ deviceId: this.#devices[position] ?? '', seq: this.#seqs[position] ?? 0, index: this.#indices[position] ?? 0, hash: this.#hashAt(position) });
      }
    }
    return { upTo, seqIndexedSize: upTo < this.#committed ? (this.#indices[upTo] ?? logSize) : logSize };
  }

  /** The rows before `upTo` are in the table: they are dropped. */
  chunkWritten(upTo: number): void {
    this.#written = Math.max(this.#written, upTo);
    const used = this.#committed + this.#tentative;
    // Moving the live rows costs their number; doing it only once the dead ones are as many keeps it O(1) per row.
    if (this.#written > 0 && this.#written * 2 >= used) this.#compact();
  }

  /** Forgets every row (they are in the table now). Only between commits: no tentative rows. */
  clear(): void {
    this.#newest.clear();
    this.#devices.length = 0;
    this.#committed = 0;
    this.#tentative = 0;
    this.#written = 0;
    this.#resize(MIN_CAPACITY);
  }

  #hashAt(position: number): Uint8Array {
    return this.#hashes.subarray(position * HASH_BYTES, (position + 1) * HASH_BYTES);
  }

  /** Moves the unwritten rows to the front (positions shift by `#written`) and shrinks the arrays if mostly empty. */
  #compact(): void {
    const shift = this.#written;
    const used = this.#committed + this.#tentative;
    const live = used - shift;
    this.#seqs.copyWithin(0, shift, used);
    this.#indices.copyWithin(0, shift, used);
    this.#hashes.copyWithin(0, shift * HASH_BYTES, used * HASH_BYTES);
    this.#previous.copyWithin(0, shift, used);
    for (let position = 0; position < live; position += 1) {
      const previous = this.#previous[position] ?? -1;
      this.#previous[position] = previous < shift ? -1 : previous - shift;
    }
    this.#devices.copyWithin(0, shift, used);
    this.#devices.length = live;
    for (const [deviceId, newest] of this.#newest) {
      if (newest < shift) this.#newest.delete(deviceId);
      else this.#newest.set(deviceId, newest - shift);
    }
    this.#committed -= shift;
    this.#written = 0;
    let capacity = this.#capacity;
    while (capacity > MIN_CAPACITY && live * 4 <= capacity) capacity /= 2;
    if (capacity !== this.#capacity) this.#resize(capacity);
  }

  #resize(capacity: number): void {
    if (capacity === this.#capacity) return;
    const used = this.#committed + this.#tentative;
    const resized = <T extends Float64Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T, width = 1): T => {
      const next = make(capacity * width);
      next.set(old.subarray(0, used * width));
      return next;
    };
    this.#seqs = resized(this.#seqs, (n) => new Float64Array(n));
    this.#indices = resized(this.#indices, (n) => new Float64Array(n));
    this.#previous = resized(this.#previous, (n) => new Int32Array(n));
    this.#hashes = resized(this.#hashes, (n) => new Uint8Array(n), HASH_BYTES);
    this.#capacity = capacity;
  }
}
