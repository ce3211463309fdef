import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { ExpectedOutcome, FaultKind } from '../faults/fault-kind.js';

/** What became of a message, as the simulator saw it. */
export type MessageOutcome =
  | 'acked'
  | 'pending'
  | 'connection_closed'
  | 'connect_refused'
  | 'not_connected'
  | 'timeout'
  | 'skipped';

/**
 * One line of the machine-readable record of a run (`--record FILE`, JSON lines): every message the simulator
 * sent, valid or a fault, so an end-to-end test can check that each valid message is in the log exactly once
 * (by device, seq and the SHA-256 of the bytes, which is what the log entry's `original` holds) and each
 * fault is where it should be.
 */
export interface MessageRecord {
  readonly kind: 'valid' | FaultKind;
  readonly device: string;
  /** The payload `seq`, when the message has one the simulator chose. */
  readonly seq: number | null;
  readonly topic: string;
  /** Hex SHA-256 of the bytes published. */
  readonly sha256: string;
  readonly size: number;
  /** The device clock in the payload, when there is one. */
  readonly t: number | null;
  readonly expected: ExpectedOutcome;
  outcome: MessageOutcome;
  /** PUBACK round trip of the first acknowledged send, ms. */
  ackLatencyMs?: number;
  /** The notice the gateway sent about this seq on the downlink, if any. */
  notice?: { readonly code: string; readonly disposition: string };
  note?: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes records as JSON lines (one per message), fsync'd. */
export async function writeMessageRecords(path: string, records: Iterable<MessageRecord>): Promise<void> {
  const handle = await open(path, 'w', 0o644);
  try {
    let chunk: string[] = [];
    for (const record of records) {
      chunk.push(`${JSON.stringify(record)}\n`);
      if (chunk.length >= 4096) {
        await handle.write(chunk.join(''));
        chunk = [];
      }
    }
    if (chunk.length > 0) await handle.write(chunk.join(''));
    await handle.sync();
  } finally {
    await handle.close();
  }
}
