/** Reading many entries in index order without an offset lookup per entry (export, audits, views). */
import { SEGMENT_HEADER_BYTES, type LogSegmentFiles } from './log-segment-files.js';
import type { EntryOffsetIndex } from './entry-offset-index.js';
import { StorageError } from './storage-error.js';

/**
 * Sequential read of entries [from, to): one scan per segment in 1 MiB chunks, instead of two positioned reads
 * per entry. `bytes` is a view into a read buffer: copy it to keep it past the callback.
 * Attacker-controlled: the segment files' bytes (checked record by record).
 */
export function forEachEntryInSegments(
  segments: LogSegmentFiles,
  offsets: EntryOffsetIndex,
  to: number,
  from: number,
  onEntry: (index: number, bytes: Uint8Array) => void,
): void {
  let index = from;
  while (index < to) {
    const segment = segments.segmentOf(index);
    const start = index === segment ? SEGMENT_HEADER_BYTES : offsets.read(index);
    const end = segments.scanSegment(segment, start, (record) => {
      if (index >= to || index - segment >= segments.capacity) return false;
      onEntry(index, record.payload);
      index += 1;
      return true;
    });
    if (index < to && index - segment < segments.capacity) {
      throw new StorageError('E_STORAGE_CORRUPT', `entry ${index} could not be read`, {
        details: { index, segment, ...(end.kind === 'damaged' ? { offset: end.offset, reason: end.reason } : {}) },
      });
    }
  }
}
