/**
 * Re-deriving the offset index and the tree from the segment files: on open (after a crash, power loss or a
 * torn write) and when a commit's derived writes failed. The segments are the source of truth; everything
 * here only reads them, except for cutting a torn tail, which `openLogStore` decides.
 */
import { leafHash, type IncrementalTree } from '@trialgate/proof-formats';
import type { EntryOffsetIndex } from './entry-offset-index.js';
import { SEGMENT_HEADER_BYTES, type LogSegmentFiles } from './log-segment-files.js';
import { StorageError } from './storage-error.js';

export interface SegmentScanResult {
  /** Entries found (the log's size, if there is no damage). */
  readonly size: number;
  /** Byte offset after the last whole record of the last segment scanned (0 if there is no segment). */
  readonly segmentEnd: number;
  /** Where the records stopped being whole, if they did before the end of the last segment. */
  readonly damage: { readonly segment: number; readonly offset: number; readonly reason: string } | null;
}

const OFFSET_CHUNK = 65_536;

/**
 * Extends the offset index from its current count by walking the segments, and calls `onEntry` for each
 * entry found, in index order (the tree catches up through it). Stops at the end of the last segment or at
 * the first record that is not whole (reported as `damage`).
 */
export function extendOffsetsFromSegments(
  segments: LogSegmentFiles,
  offsets: EntryOffsetIndex,
  onEntry: (index: number, payload: Uint8Array) => void,
): SegmentScanResult {
  const capacity = segments.capacity;
  const last = segments.segments.at(-1);
  if (last === undefined) {
    if (offsets.count > 0) throw missingSegment(0);
    return { size: 0, segmentEnd: 0, damage: null };
  }
  let index = offsets.count;
  let pending: number[] = [];
  const flush = (): void => {
    offsets.append(pending);
    pending = [];
  };
  for (;;) {
    const segment = segments.segmentOf(index);
    if (segment > last.first) {
      // The last segment is full and the next one was never created.
      flush();
      return { size: index, segmentEnd: segments.fileSize(last.first), damage: null };
    }
    if (!segments.segments.some((s) => s.first === segment)) throw missingSegment(segment);
    let position = SEGMENT_HEADER_BYTES;
    let skipFirst = false;
    if (index > segment) {
      // Start at the last indexed record of this segment and step over it (it is checked on the way).
      position = offsets.read(index - 1);
      skipFirst = true;
    }
    let overfullAt = -1;
    const end = segments.scanSegment(segment, position, (record) => {
      if (skipFirst) {
        skipFirst = false;
        return true;
      }
      if (index - segment >= capacity) {
        overfullAt = record.offset;
        return false;
      }
      pending.push(record.offset);
      onEntry(index, record.payload);
      index += 1;
      if (pending.length >= OFFSET_CHUNK) flush();
      return true;
    });
    flush();
    if (skipFirst) {
      throw new StorageError('E_STORAGE_CORRUPT', `entry ${index - 1} is not where the offset index says`, {
        details: { index: index - 1, segment, offset: position },
      });
    }
    if (overfullAt >= 0) {
      return { size: index, segmentEnd: overfullAt, damage: { segment, offset: overfullAt, reason: 'overfull' } };
    }
    if (end.kind === 'damaged') {
      return { size: index, segmentEnd: end.offset, damage: { segment, offset: end.offset, reason: end.reason } };
    }
    const full = index - segment === capacity;
    if (segment === last.first || !full) {
      if (segment !== last.first) {
        // An earlier segment that is not full: entries are missing from the middle of the log.
        throw new StorageError('E_STORAGE_CORRUPT', `log segment ${segment} holds ${index - segment} of ${capacity} entries`, {
          details: { segment, entries: index - segment, capacity },
        });
      }
      return { size: index, segmentEnd: end.offset, damage: null };
    }
  }
}

/** Appends leaf hashes of entries [tree.size, to) read from the log, in chunks. */
export function catchUpTree(tree: IncrementalTree, to: number, readEntry: (index: number) => Uint8Array): void {
  const CHUNK = 16_384;
  while (tree.size < to) {
    const start = tree.size;
    const end = Math.min(to, start + CHUNK);
    const hashes: Uint8Array[] = [];
    for (let i = start; i < end; i++) hashes.push(leafHash(readEntry(i)));
    tree.appendLeafHashes(hashes);
  }
}

/** Collects leaf hashes during a scan and appends them to the tree in chunks. */
export function treeFeeder(tree: IncrementalTree): {
  readonly onEntry: (index: number, payload: Uint8Array) => void;
  readonly finish: () => void;
} {
  let hashes: Uint8Array[] = [];
  const flush = (): void => {
    if (hashes.length > 0) tree.appendLeafHashes(hashes);
    hashes = [];
  };
  return {
    onEntry: (index, payload) => {
      if (index !== tree.size + hashes.length) {
        throw new StorageError('E_STORAGE_CORRUPT', 'the tree and the offset index disagree', {
          details: { index, tree: tree.size + hashes.length },
        });
      }
      hashes.push(leafHash(payload));
      if (hashes.length >= 16_384) flush();
    },
    finish: flush,
  };
}

function missingSegment(segment: number): StorageError {
  return new StorageError('E_STORAGE_CORRUPT', `log segment ${segment} is missing`, { details: { segment } });
}
