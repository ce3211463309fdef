/**
 * The gateway's durable log, as the rest of the gateway sees it (a port: the storage module implements it,
 * ingestion, the registry, checkpoints and the API use it).
 *
 * The append contract (after Tessera's): a promise that resolves only once the entry is on disk and fsync'd
 * and has a durably assigned index. Many appends share one fsync (group commit). Anything that was
 * acknowledged to a device was first resolved here, so a kill -9 at any instant loses nothing acknowledged.
 *
 * Changes to this file are additive: ingestion and storage are written against it side by side.
 */
import type { LogEntry } from '@trialgate/proof-formats';

/** A device message's claim on its per-device sequence number, checked atomically with the append. */
export interface SeqClaim {
  readonly deviceId: string;
  readonly seq: number;
}

export type AppendOutcome =
  /** A new entry, now durable at `index`. */
  | { readonly status: 'appended'; readonly index: number }
  /** The same device, seq and original bytes are already logged at `index` (a retransmission): not appended. */
  | { readonly status: 'duplicate'; readonly index: number }
  /** The same device and seq are logged at `index` with other bytes: not appended; the caller quarantines. */
  | { readonly status: 'conflict'; readonly index: number };

/** A message that was refused, kept as received with the reason (spec section 7). */
export interface QuarantineInput {
  readonly receivedAtMs: number;
  readonly transport: string;
  /** The device the message claims to come from, if any could be read (attacker-controlled: for display). */
  readonly claimedDeviceId: string | null;
  /** The MQTT topic or other transport address it arrived on. */
  readonly source: string | null;
  /** A stable error code, e.g. `E_COSE_SIGNATURE`. */
  readonly reason: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** Exactly the bytes received. */
  readonly original: Uint8Array;
}

export interface QuarantineRecord extends QuarantineInput {
  readonly id: number;
}

export interface CommittedEntry {
  readonly index: number;
  readonly entry: LogEntry;
  /** The encoded entry bytes, as stored and hashed. */
  readonly bytes: Uint8Array;
}

export interface GatewayLog {
  /** Durably appends `entry`; with a claim, decides duplicate/conflict atomically with the append. */
  append(entry: LogEntry, claim?: SeqClaim): Promise<AppendOutcome>;
  /** Durably records a rejected message. */
  quarantine(input: QuarantineInput): Promise<QuarantineRecord>;
  /** Number of entries durably appended. */
  size(): number;
  /** The stored bytes of entry `index` (< size()). */
  readEntry(index: number): Uint8Array;
  /**
   * Called after each group commit, synchronously and in index order, before the appends' promises resolve:
   * projections (registry, seq state, metrics, the checkpointer's counter) stay in step with the log.
   */
  onCommitted(listener: (entries: readonly CommittedEntry[]) => void): () => void;
  /** Finishes in-flight appends (their promises resolve), then closes files. */
  close(): Promise<void>;
}
