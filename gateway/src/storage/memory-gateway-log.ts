/**
 * An in-memory `GatewayLog` for tests of the components that use the log (ingestion, registry, API).
 *
 * It keeps the real adapter's observable behaviour, checked by the same contract suite
 * (`gateway-log-contract.ts`): appends are decided and committed in batches (everything appended in one
 * turn of the event loop shares a "group commit"), duplicate/conflict decisions are atomic with the append
 * (also between two appends of one (device, seq) in a batch), listeners run in index order before the
 * promises resolve. Nothing is durable, of course. Failures can be injected to test callers' error paths.
 */
import { createHash } from 'node:crypto';
import type { LogEntry } from '@trialgate/proof-formats';
import { entryBytes } from './entry-bytes.js';
import { quarantineRecordOf } from './quarantine-record-of.js';
import type {
  AppendOutcome,
  CommittedEntry,
  GatewayLog,
  QuarantineInput,
  QuarantineRecord,
  SeqClaim,
} from './gateway-log.js';
import {
  matchesQuarantineFilter,
  quarantineListLimit,
  type QuarantineFilter,
  type QuarantineQuery,
} from './quarantine-query.js';
import { StorageError } from './storage-error.js';
import { MAX_ENTRY_BYTES } from './storage-limits.js';

interface PendingAppend {
  readonly kind: 'append';
  readonly entry: LogEntry;
  readonly bytes: Uint8Array;
  readonly claim: SeqClaim | undefined;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingQuarantine {
  readonly kind: 'quarantine';
  readonly input: QuarantineInput;
  readonly resolve: (record: QuarantineRecord) => void;
  readonly reject: (error: unknown) => void;
}

type Pending = PendingAppend | PendingQuarantine;

interface SeqRecord {
  readonly index: number;
  readonly originalHash: string;
}

export class MemoryGatewayLog implements GatewayLog, QuarantineQuery {
  private readonly entries: Uint8Array[] = [];
  private readonly quarantined: QuarantineRecord[] = [];
  private readonly seqIndex = new Map<string, SeqRecord>();
  private readonly listeners = new Set<(entries: readonly CommittedEntry[]) => void>();
  private pending: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private failure: StorageError | null = null;

  /** Makes every following append and quarantine fail with `error` (null restores normal operation). */
  injectFailure(error: StorageError | null): void {
    this.failure = error;
  }

  append(entry: LogEntry, claim?: SeqClaim): Promise<AppendOutcome> {
    if (this.closed) return Promise.reject(closedError());
    let bytes: Uint8Array;
    try {
      bytes = entryBytes(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    if (bytes.length > MAX_ENTRY_BYTES) return Promise.reject(tooLarge(bytes.length));
    return new Promise((resolve, reject) => {
      this.pending.push({ kind: 'append', entry, bytes, claim, resolve, reject });
      this.schedule();
    });
  }

  quarantine(input: QuarantineInput): Promise<QuarantineRecord> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.pending.push({ kind: 'quarantine', input, resolve, reject });
      this.schedule();
    });
  }

  size(): number {
    return this.entries.length;
  }

  readEntry(index: number): Uint8Array {
    const bytes = Number.isSafeInteger(index) && index >= 0 ? this.entries[index] : undefined;
    if (bytes === undefined) {
      throw new StorageError('E_STORAGE_INDEX_RANGE', `no entry ${index}: the log holds ${this.entries.length}`, {
        details: { index, size: this.entries.length },
      });
    }
    return bytes.slice();
  }

  onCommitted(listener: (entries: readonly CommittedEntry[]) => void): () => void {
    // Wrapped so that one function registered twice is two registrations, as in the durable adapter.
    const wrapped = (entries: readonly CommittedEntry[]): void => listener(entries);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  listQuarantine(filter: QuarantineFilter = {}): QuarantineRecord[] {
    const limit = quarantineListLimit(filter);
    const out: QuarantineRecord[] = [];
    for (const record of this.quarantined) {
      if (out.length >= limit) break;
      if (matchesQuarantineFilter(record, filter)) out.push(record);
    }
    return out;
  }

  countQuarantineByReason(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const record of this.quarantined) counts[record.reason] = (counts[record.reason] ?? 0) + 1;
    return counts;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.length > 0 || this.scheduled) await new Promise<void>((r) => setImmediate(r));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: appends made in the same turn share a batch, like a group commit.
    setImmediate(() => {
      this.scheduled = false;
      this.commit();
    });
  }

  private commit(): void {
    const batch = this.pending;
    this.pending = [];
    if (this.failure !== null) {
      const failure = this.failure;
      for (const item of batch) item.reject(failure);
      return;
    }
    const committed: CommittedEntry[] = [];
    const results: (() => void)[] = [];
    for (const item of batch) {
      if (item.kind === 'quarantine') {
        const record = quarantineRecordOf(item.input, this.quarantined.length + 1);
        this.quarantined.push(record);
        results.push(() => item.resolve(record));
        continue;
      }
      const outcome = this.decide(item);
      if (outcome.status === 'appended') {
        this.entries.push(item.bytes);
        committed.push({ index: outcome.index, entry: item.entry, bytes: item.bytes });
      }
      results.push(() => item.resolve(outcome));
    }
    if (committed.length > 0) for (const listener of [...this.listeners]) listener(committed);
    for (const result of results) result();
  }

  private decide(item: PendingAppend): AppendOutcome {
    const index = this.entries.length;
    if (item.claim === undefined) return { status: 'appended', index };
    const key = seqKey(item.claim);
    const originalHash = createHash('sha256').update(item.entry.original).digest('hex');
    const known = this.seqIndex.get(key);
    if (known !== undefined) {
      return known.originalHash === originalHash
        ? { status: 'duplicate', index: known.index }
        : { status: 'conflict', index: known.index };
    }
    this.seqIndex.set(key, { index, originalHash });
    return { status: 'appended', index };
  }
}

function seqKey(claim: SeqClaim): string {
  return `${claim.deviceId}\u0000${claim.seq}`;
}

function closedError(): StorageError {
  return new StorageError('E_STORAGE_CLOSED', 'the log is closed');
}

function tooLarge(length: number): StorageError {
  return new StorageError('E_STORAGE_ENTRY_TOO_LARGE', `an entry of ${length} bytes exceeds ${MAX_ENTRY_BYTES}`, {
    details: { length, max: MAX_ENTRY_BYTES },
  });
}
