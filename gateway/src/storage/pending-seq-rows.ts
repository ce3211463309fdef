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
 * event loop for long; written rows stay readable here until every row is written, then all are dropped.
 */
export interface PendingSeqRow {
  readonly deviceId: string;
  readonly seq: number;
  readonly index: number;
  /** SHA-256 of the original bytes (a view: copy to keep). */
  readonly hash: Uint8Array;
}

const HASH_BYTES = 32;

export class PendingSeqRows {
  #capacity = 1024;
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
  /** Rows [0, written) are in the table. */
  #written = 0;

  /** Committed rows not yet written to the table. */
  get size(): number {
    return this.#committed - this.#written;
  }

  /** Adds a tentative row (this commit's; see `commit` and `rollback`). `hash` is copied. */
  add(deviceId: string, seq: number, index: number, hash: Uint8Array): void {
    const position = this.#committed + this.#tentative;
    if (position === this.#capacity) this.#grow();
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
    for (let position = this.#newest.get(deviceId) ?? -1; position >= 0; position = this.#previous[position] ?? -1) {
      if (this.#seqs[position] === seq) {
        return { index: this.#indices[position] ?? 0, hash: Buffer.from(this.#hashAt(position)) };
      }
    }
    return undefined;
  }

  /** The highest seq among the device's rows, or -1. */
  maxSeq(deviceId: string): number {
    let max = -1;
    for (let position = this.#newest.get(deviceId) ?? -1; position >= 0; position = this.#previous[position] ?? -1) {
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

  /** The rows before `upTo` are in the table; once all are (and no commit is deciding), all are dropped. */
  chunkWritten(upTo: number): void {
    this.#written = Math.max(this.#written, upTo);
    if (this.#written === this.#committed && this.#tentative === 0) this.clear();
  }

  /** Forgets every row (they are in the table now). Only between commits: no tentative rows. */
  clear(): void {
    this.#newest.clear();
    this.#devices.length = 0;
    this.#committed = 0;
    this.#tentative = 0;
    this.#written = 0;
  }

  #hashAt(position: number): Uint8Array {
    return this.#hashes.subarray(position * HASH_BYTES, (position + 1) * HASH_BYTES);
  }

  #grow(): void {
    const capacity = this.#capacity * 2;
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T, width = 1): T => {
      const next = make(capacity * width);
      next.set(old);
      return next;
    };
    this.#seqs = grow(this.#seqs, (n) => new Float64Array(n));
    this.#indices = grow(this.#indices, (n) => new Float64Array(n));
    this.#previous = grow(this.#previous, (n) => new Int32Array(n));
    this.#hashes = grow(this.#hashes, (n) => new Uint8Array(n), HASH_BYTES);
    this.#capacity = capacity;
  }
}
