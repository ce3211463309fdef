import type { QuarantineInput, QuarantineRecord } from './gateway-log.js';
import { MAX_QUARANTINE_ORIGINAL_BYTES } from './storage-limits.js';

/** The record kept for a refused message; an original beyond the bound is kept truncated, and says so. */
export function quarantineRecordOf(input: QuarantineInput, id: number): QuarantineRecord {
  const truncated = input.original.length > MAX_QUARANTINE_ORIGINAL_BYTES;
  return {
    ...input,
    details: truncated
      ? { ...input.details, originalLength: input.original.length, originalTruncated: true }
      : { ...input.details },
    original: Uint8Array.from(truncated ? input.original.subarray(0, MAX_QUARANTINE_ORIGINAL_BYTES) : input.original),
    id,
  };
}
