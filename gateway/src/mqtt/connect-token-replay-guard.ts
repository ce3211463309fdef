/**
 * Remembers the connect tokens the gateway accepted, so that each is accepted once (spec section 3: "it
 * remembers the tokens it accepted within that window, so a token seen on the wire cannot be replayed").
 *
 * A token is remembered until its `iat` + 300 s has passed on the gateway clock (after that, the freshness
 * check refuses it anyway), durably: in its own small SQLite file in the data directory (WAL, synchronous
 * FULL), written before the CONNACK is sent, so a restart does not reopen the window for tokens seen before it.
 * Tokens accepted in the same turn of the event loop share one transaction (one fsync): a reconnect storm
 * after a restart costs a few fsyncs, not one per device.
 *
 * A token is identified by the SHA-256 of what its signature covers (the Sig_structure): Ed25519 signatures
 * are not malleable under strict verification, so a re-encoded envelope of the same signed content is the
 * same token.
 *
 * Clock jumps (issue 7, test/reliability/clock): a token is forgotten only once it has expired on the gateway
 * clock AND has been remembered for `minRetentionMs` (10 minutes) of the process's monotonic time. A gateway
 * clock that jumps forward (and then back, as an NTP step correction does) therefore cannot make it forget a
 * token that may be fresh again once the clock is right; nor can a restart under a clock that is ahead: tokens
 * are not forgotten on open (only those expired more than a day before), but counted as remembered from then.
 * What remains: a gateway clock set more than 5 minutes behind the true time makes tokens captured in the
 * 10 minutes before fresh again (docs/RELIABILITY.md, "Clock").
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';

interface Waiter {
  readonly id: Buffer;
  readonly expiresAtMs: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export interface ConnectTokenReplayGuardOptions {
  /** Milliseconds of a monotonic clock (default `performance.now`): how long a token has been remembered. */
  readonly monotonicNow?: () => number;
  /** A token is remembered at least this long, whatever the gateway clock says (default 10 minutes). */
  readonly minRetentionMs?: number;
}

export const DEFAULT_TOKEN_MIN_RETENTION_MS = 10 * 60_000;
/** On open, only tokens expired this long ago are forgotten at once (a clock ahead by less cannot hurt). */
const FORGET_ON_OPEN_AFTER_MS = 24 * 3_600_000;

interface Remembered {
  readonly expiresAtMs: number;
  /** Monotonic ms when it was accepted (or loaded on open). */
  readonly since: number;
}

export class ConnectTokenReplayGuard {
  private readonly seen = new Map<string, Remembered>();
  private readonly monotonicNow: () => number;
  private readonly minRetentionMs: number;
  private readonly forget: ((ids: readonly Buffer[]) => void) | null;
  private batch: Waiter[] = [];
  private scheduled = false;
  private readonly write: ((waiters: readonly Waiter[]) => void) | null;

  private constructor(
    private readonly db: SqliteDatabase | null,
    nowMs: number,
    options: ConnectTokenReplayGuardOptions,
  ) {
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
    this.minRetentionMs = options.minRetentionMs ?? DEFAULT_TOKEN_MIN_RETENTION_MS;
    if (db === null) {
      this.write = null;
      this.forget = null;
      return;
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS accepted_connect_tokens (id BLOB PRIMARY KEY, expires_at_ms INTEGER NOT NULL) STRICT');
    db.prepare('DELETE FROM accepted_connect_tokens WHERE expires_at_ms < ?').run(nowMs - FORGET_ON_OPEN_AFTER_MS);
    const loadedAt = this.monotonicNow();
    for (const row of db.prepare<[], { id: Buffer; expires_at_ms: number }>('SELECT id, expires_at_ms FROM accepted_connect_tokens').all()) {
      this.seen.set(row.id.toString('latin1'), { expiresAtMs: row.expires_at_ms, since: loadedAt });
    }
    const remove = db.prepare<[Buffer]>('DELETE FROM accepted_connect_tokens WHERE id = ?');
    this.forget = db.transaction((ids: readonly Buffer[]) => {
      for (const id of ids) remove.run(id);
    });
    const insert = db.prepare<[Buffer, number]>('INSERT OR IGNORE INTO accepted_connect_tokens (id, expires_at_ms) VALUES (?, ?)');
    this.write = db.transaction((waiters: readonly Waiter[]) => {
      for (const waiter of waiters) insert.run(waiter.id, waiter.expiresAtMs);
    });
  }

  /** Durable: `file` is created if missing. */
  static open(file: string, nowMs: number, options: ConnectTokenReplayGuardOptions = {}): ConnectTokenReplayGuard {
    return new ConnectTokenReplayGuard(new Database(file), nowMs, options);
  }

  /** In memory only (tests, and the benchmark's bare configurations). */
  static inMemory(options: ConnectTokenReplayGuardOptions = {}): ConnectTokenReplayGuard {
    return new ConnectTokenReplayGuard(null, 0, options);
  }

  /**
   * Claims the token: false if it was accepted before (a replay). True resolves only once the claim is
   * durable; the in-memory claim is taken at once, so two concurrent connects with one token cannot both win.
   */
  async accept(tokenId: Uint8Array, expiresAtMs: number): Promise<boolean> {
    const key = Buffer.from(tokenId).toString('latin1');
    if (this.seen.has(key)) return false;
    this.seen.set(key, { expiresAtMs, since: this.monotonicNow() });
    if (this.write === null) return true;
    // If the write fails this rejects: the token stays claimed in memory (refusing it later is safe) and the
    // caller refuses the connection.
    await new Promise<void>((resolve, reject) => {
      this.batch.push({ id: Buffer.from(tokenId), expiresAtMs, resolve, reject });
      this.schedule();
    });
    return true;
  }

  /** Forgets tokens whose window has passed on the gateway clock and that were kept `minRetentionMs` (see above). */
  prune(nowMs: number): void {
    const keptLongEnough = this.monotonicNow() - this.minRetentionMs;
    const forgotten: Buffer[] = [];
    for (const [key, token] of this.seen) {
      if (token.expiresAtMs < nowMs && token.since <= keptLongEnough) {
        this.seen.delete(key);
        forgotten.push(Buffer.from(key, 'latin1'));
      }
    }
    if (forgotten.length > 0) this.forget?.(forgotten);
  }

  get size(): number {
    return this.seen.size;
  }

  close(): void {
    this.flush();
    this.db?.close();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const waiters = this.batch;
    this.batch = [];
    if (waiters.length === 0 || this.write === null) return;
    try {
      this.write(waiters);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    for (const waiter of waiters) waiter.resolve();
  }
}
