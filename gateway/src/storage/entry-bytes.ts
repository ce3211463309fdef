/**
 * The stored bytes of a log entry (spec section 4) and back, through proof-formats (`encodeLogEntry`,
 * `decodeLogEntry`): one encoder for the gateway, the verifier and sponsors' tools.
 */
import { decodeLogEntry, encodeLogEntry, type LogEntry } from '@trialgate/proof-formats';
import { MAX_ENTRY_BYTES } from './storage-limits.js';

export function entryBytes(entry: LogEntry): Uint8Array {
  return encodeLogEntry(entry);
}

/** Attacker-controlled: bytes read from the segment files (strictly decoded; typed errors only). */
export function decodeEntryBytes(bytes: Uint8Array): LogEntry {
  return decodeLogEntry(bytes, { maxBytes: MAX_ENTRY_BYTES });
}
