/**
 * The (device, seq) claim of a logged entry, recomputed from its bytes.
 *
 * The seq index (state database) is derived data like the tree: after a crash between a group commit's fsync
 * and its SQLite transaction, the storage replays the missing entries through this function. Ingestion passes
 * the same claim to `append` (the payload's `dev`, equal to the kid and the entry's deviceId, and its `seq`,
 * spec section 2), so the replayed index equals the one built live.
 *
 * Attacker-controlled: the entry's `original` is what a device sent (already verified when it was appended,
 * but parsed here defensively: anything unexpected means "no claim", never a throw).
 */
import { decodeCborStrict, decodeCoseSign1, isCborMap } from '@trialgate/firmware-protocol';
import type { LogEntry } from '@trialgate/proof-formats';
import type { SeqClaim } from './gateway-log.js';
import { MAX_ENTRY_BYTES } from './storage-limits.js';

export type SeqClaimOf = (entry: LogEntry) => SeqClaim | null;

export const coseSeqClaimOf: SeqClaimOf = (entry) => {
  if (entry.contentType !== 'cose-sign1') return null;
  try {
    const message = decodeCoseSign1(entry.original, { maxBytes: MAX_ENTRY_BYTES });
    const payload = decodeCborStrict(message.payloadBytes, { maxBytes: MAX_ENTRY_BYTES });
    if (!isCborMap(payload)) return null;
    const dev = payload.get('dev');
    const seq = payload.get('seq');
    if (dev !== entry.deviceId || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return null;
    return { deviceId: dev, seq };
  } catch {
    return null;
  }
};
