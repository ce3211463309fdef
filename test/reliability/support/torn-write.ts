/**
 * Power loss while writing (issue 7): what a crash can leave of the gateway's files when the power goes while
 * a write is on its way to the disk, made by hand on a stopped (killed) gateway's data directory. Only what
 * was not yet durable may be torn: the log's group commit fsyncs the records before it records the committed
 * size in SQLite and before any PUBACK (docs/storage.md "Appends"), so everything at or past the committed size
 * may be cut, and nothing before it (that would be a damaged disk, not a power loss: E_STORAGE_CORRUPT).
 *
 * Formats (docs/storage.md, "Segment files"): a segment is a 32-byte header then records
 * `u32 BE n || entry || u32 BE CRC-32(n || entry)`; the quarantine file is a 16-byte magic then the same
 * records; `offsets.idx` is 8 bytes per entry and `tree/level-NN.hashes` 32 bytes per node.
 */
import { appendFileSync, readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { crc32 } from '@trialgate/firmware-protocol';
import { encodeLogEntry } from '@trialgate/proof-formats';

export type TornWriteKind =
  /** The newest segment cut at a random byte inside the records past the committed size. */
  | 'segment-cut'
  /** A random prefix of a record of an unacknowledged message appended to the newest segment (a write in flight). */
  | 'segment-partial'
  /** Zero bytes appended to the newest segment (a file system that extended the file but lost its data). */
  | 'segment-zeros'
  /** A random prefix of a record appended to the quarantine file. */
  | 'quarantine-partial'
  /** The derived files (offsets, tree levels) cut at random bytes past their synced size. */
  | 'derived-cut';

export const TORN_WRITE_KINDS: readonly TornWriteKind[] = ['segment-cut', 'segment-partial', 'segment-zeros', 'quarantine-partial', 'derived-cut'];

export interface TornWrite {
  readonly kind: TornWriteKind;
  readonly file: string;
  /** The file's size before and after. */
  readonly before: number;
  readonly after: number;
}

const SEGMENT_HEADER_BYTES = 32;

/** Record boundaries of a framed-record file: the end offset of each complete record, in order. */
export function recordEnds(bytes: Uint8Array, headerBytes: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ends: number[] = [];
  let at = headerBytes;
  while (at + 4 <= bytes.length) {
    const n = view.getUint32(at);
    const end = at + 8 + n;
    if (end > bytes.length) break;
    ends.push(end);
    at = end;
  }
  return ends;
}

/** A framed record (what the log writes) of `payload`. */
export function framedRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 8);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length);
  out.set(payload, 4);
  view.setUint32(4 + payload.length, crc32(out.subarray(0, 4 + payload.length)) >>> 0);
  return out;
}

function readMetaNumber(dataDir: string, key: string): number {
  const db = new Database(path.join(dataDir, 'state.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row === undefined ? 0 : Number(row.value);
  } finally {
    db.close();
  }
}

function newestSegment(dataDir: string): string {
  const names = readdirSync(path.join(dataDir, 'log')).filter((name) => /^entries-\d{12}\.tglog$/.test(name)).sort();
  const last = names.at(-1);
  if (last === undefined) throw new Error('no segment file');
  return path.join(dataDir, 'log', last);
}

/**
 * Tears the last write of a killed gateway's data directory. `pending` is a message a device sent and never
 * saw acknowledged (the bytes of a write that may have been in flight); `random` gives [0, 1).
 */
export function tearLastWrite(dataDir: string, kind: TornWriteKind, pending: { readonly device: string; readonly bytes: Uint8Array }, random: () => number): TornWrite {
  const pick = (low: number, high: number): number => low + Math.floor(random() * (high - low));
  const partialRecord = (): Uint8Array => {
    const entry = encodeLogEntry({ receivedAtMs: Date.now(), transport: 'mqtt', deviceId: pending.device, contentType: 'cose-sign1', original: pending.bytes });
    const record = framedRecord(entry);
    return record.subarray(0, pick(1, record.length));
  };
  switch (kind) {
    case 'segment-cut': {
      const file = newestSegment(dataDir);
      const bytes = readFileSync(file);
      const first = Number(bytes.readBigUInt64BE(16));
      const committed = readMetaNumber(dataDir, 'committed_size');
      const ends = recordEnds(bytes, SEGMENT_HEADER_BYTES);
      // Records first .. first + ends.length - 1 are in this segment; cut only past the committed size.
      const durableRecords = Math.max(0, committed - first);
      const start = durableRecords === 0 ? SEGMENT_HEADER_BYTES : (ends[durableRecords - 1] ?? bytes.length);
      if (start >= bytes.length - 1) return tearLastWrite(dataDir, 'segment-partial', pending, random);
      // Strictly inside a record past the durable point, never on a boundary: a torn record.
      let cut = pick(start + 1, bytes.length);
      while (ends.includes(cut)) cut = pick(start + 1, bytes.length);
      truncateSync(file, cut);
      return { kind, file, before: bytes.length, after: cut };
    }
    case 'segment-partial': {
      const file = newestSegment(dataDir);
      const before = statSync(file).size;
      appendFileSync(file, partialRecord());
      return { kind, file, before, after: statSync(file).size };
    }
    case 'segment-zeros': {
      const file = newestSegment(dataDir);
      const before = statSync(file).size;
      appendFileSync(file, new Uint8Array(pick(1, 8192)));
      return { kind, file, before, after: statSync(file).size };
    }
    case 'quarantine-partial': {
      const file = path.join(dataDir, 'quarantine', 'quarantine.tgq');
      let before = 0;
      try {
        before = statSync(file).size;
      } catch {
        return tearLastWrite(dataDir, 'segment-partial', pending, random);
      }
      const record = framedRecord(new TextEncoder().encode(JSON.stringify({ id: 999_999, reason: 'E_TORN', original: 'AAAA' })));
      appendFileSync(file, record.subarray(0, pick(1, record.length)));
      return { kind, file, before, after: statSync(file).size };
    }
    case 'derived-cut': {
      const synced = readMetaNumber(dataDir, 'synced_size');
      const offsets = path.join(dataDir, 'log', 'offsets.idx');
      const level0 = path.join(dataDir, 'tree', 'level-00.hashes');
      const before = statSync(offsets).size;
      const cutOffsets = pick(Math.min(before, synced * 8), before + 1);
      truncateSync(offsets, cutOffsets);
      const leaves = statSync(level0).size;
      truncateSync(level0, pick(Math.min(leaves, synced * 32), leaves + 1));
      return { kind, file: offsets, before, after: cutOffsets };
    }
  }
}
