/**
 * Bounds of the storage.
 *
 * One log entry at most `MAX_LOG_ENTRY_BYTES` (64 KiB, proof-formats): what every verifier accepts, far above
 * a device message (4 KiB) or a registry change. The bound also keeps a damaged length field from making
 * recovery read far.
 */
import { MAX_LOG_ENTRY_BYTES } from '@trialgate/proof-formats';

export const MAX_ENTRY_BYTES = MAX_LOG_ENTRY_BYTES;

/** A record of the quarantine or checkpoint file (JSON): at most 16 MiB. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Original bytes kept per quarantine record: 1 MiB. A larger message (the broker's packet limit normally
 * prevents it) is kept truncated, with `details.originalLength` and `details.originalTruncated`.
 */
export const MAX_QUARANTINE_ORIGINAL_BYTES = 1024 * 1024;
