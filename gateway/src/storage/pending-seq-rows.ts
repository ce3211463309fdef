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
 * Rows are written to the table in rounds, a chunk per commit (`writeChunk`), so that no commit stalls the
 * event loop for long. A round takes the rows pending when it starts and writes them device by device, each
 * device's rows together in ascending seq order: a device's new rows all land at the end of its part of the
 * (device, seq) B-tree, so a chunk dirties about one page per device in it. (Chunks of the oldest rows
 * dirtied a page per row once there were more devices than rows per device: measured with 200 devices, 2,048
 * oldest rows took 11 ms per commit, whole devices 1 ms per 512 rows; docs/storage.md.) Until its round ends
 * a written row stays here too (the same row as the table's, so lookups are unchanged); at the end of the
 * round the whole round is the table's: lookups here stop before it, and its room is reclaimed (the rows
 * still pending move to the front once the written ones are at least half, and the arrays shrink when mostly
 * empty), so memory follows the rows pending, not the rows ever added: under bulk appends writing may never
 * catch up completely, and the arrays must not grow with the log (bench/suites/memory.ts).
 */
export interface PendingSeqRow {
  readonly deviceId: string;
  readonly seq: number;
  readonly index: number;
  /** SHA-256 of the original bytes (a view: copy to keep). */
  readonly hash: Uint8Array;
}

/** What one `writeChunk` wrote; hand it to `chunkWritten` once the caller's transaction committed. */
export interface SeqRowChunk {
  /** Rows before this position are in the table (the round's end once the round is complete, else unchanged). */
  readonly upTo: number;
  /** The log size up to which the table holds every claim: the value of `seq_indexed_size` to store with the rows. */
  readonly seqIndexedSize: number;
  /** Devices of the current round written so far, this chunk's included. */
  readonly devicesDone: number;
}

/** The rows pending when a round started, grouped by device (positions in ascending seq order). */
interface WriteRound {
  readonly end: number;
  readonly devices: readonly (readonly number[])[];
  devicesDone: number;
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
  #round: WriteRound | null = null;

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
   * Calls `write` for the rows of the current round's next devices (a round starts with the rows pending now
   * when none is under way), whole devices at a time, until at least `limit` rows or the round's last device.
   * The table is complete up to the round's end only once the round is: until then `seqIndexedSize` stays
   * where it was (a crash re-derives the round's rows, and writing a row twice is harmless).
   */
  writeChunk(limit: number, logSize: number, write: (row: PendingSeqRow) => void): SeqRowChunk {
    const round = (this.#round ??= this.#startRound());
    let devicesDone = round.devicesDone;
    let rows = 0;
    while (devicesDone < round.devices.length && rows < limit) {
      for (const position of round.devices[devicesDone] ?? []) {
        write({ deviceId: this.#devices[position] ?? '', seq: this.#seqs[position] ?? 0, index: this.#indices[position] ?? 0, hash: this.#hashAt(position) });
        rows += 1;
      }
      devicesDone += 1;
    }
    const complete = devicesDone === round.devices.length;
    const upTo = complete ? round.end : this.#written;
    return { upTo, seqIndexedSize: upTo < this.#committed ? (this.#indices[upTo] ?? logSize) : logSize, devicesDone };
  }

  /** True while a round has devices left to write. */
  get writing(): boolean {
    return this.#round !== null;
  }

  /** The chunk's rows are in the table; at the end of a round, the round's rows are dropped. */
  chunkWritten(chunk: SeqRowChunk): void {
    if (this.#round !== null) {
      this.#round.devicesDone = Math.max(this.#round.devicesDone, chunk.devicesDone);
      if (this.#round.devicesDone >= this.#round.devices.length) this.#round = null;
    }
    this.#written = Math.max(this.#written, chunk.upTo);
    const used = this.#committed + this.#tentative;
    // Moving the live rows costs their number; doing it only once the dead ones are as many keeps it O(1) per row.
    if (this.#round === null && this.#written > 0 && this.#written * 2 >= used) this.#compact();
  }

  /** Forgets every row (they are in the table now). Only between commits: no tentative rows. */
  clear(): void {
    this.#newest.clear();
    this.#devices.length = 0;
    this.#committed = 0;
    this.#tentative = 0;
    this.#written = 0;
    this.#round = null;
    this.#resize(MIN_CAPACITY);
  }

  #startRound(): WriteRound {
    const byDevice = new Map<string, number[]>();
    for (let position = this.#written; position < this.#committed; position += 1) {
      const deviceId = this.#devices[position] ?? '';
      const positions = byDevice.get(deviceId);
      if (positions === undefined) byDevice.set(deviceId, [position]);
      else positions.push(position);
    }
    const devices = [...byDevice.values()];
    for (const positions of devices) positions.sort((a, b) => (this.#seqs[a] ?? 0) - (this.#seqs[b] ?? 0));
    return { end: this.#committed, devices, devicesDone: 0 };
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
