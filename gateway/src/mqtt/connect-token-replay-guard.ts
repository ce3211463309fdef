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
 */
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';

interface Waiter {
  readonly id: Buffer;
  readonly expiresAtMs: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class ConnectTokenReplayGuard {
  private readonly seen = new Map<string, number>();
  private batch: Waiter[] = [];
  private scheduled = false;
  private readonly write: ((waiters: readonly Waiter[]) => void) | null;

  private constructor(private readonly db: SqliteDatabase | null, nowMs: number) {
    if (db === null) {
      this.write = null;
      return;
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE IF NOT EXISTS accepted_connect_tokens (id BLOB PRIMARY KEY, expires_at_ms INTEGER NOT NULL) STRICT');
    db.prepare('DELETE FROM accepted_connect_tokens WHERE expires_at_ms < ?').run(nowMs);
    for (const row of db.prepare<[], { id: Buffer; expires_at_ms: number }>('SELECT id, expires_at_ms FROM accepted_connect_tokens').all()) {
      this.seen.set(row.id.toString('latin1'), row.expires_at_ms);
    }
    const insert = db.prepare<[Buffer, number]>('INSERT OR IGNORE INTO accepted_connect_tokens (id, expires_at_ms) VALUES (?, ?)');
    this.write = db.transaction((waiters: readonly Waiter[]) => {
      for (const waiter of waiters) insert.run(waiter.id, waiter.expiresAtMs);
    });
  }

  /** Durable: `file` is created if missing. */
  static open(file: string, nowMs: number): ConnectTokenReplayGuard {
    return new ConnectTokenReplayGuard(new Database(file), nowMs);
  }

  /** In memory only (tests, and the benchmark's bare configurations). */
  static inMemory(): ConnectTokenReplayGuard {
    return new ConnectTokenReplayGuard(null, 0);
  }

  /**
   * Claims the token: false if it was accepted before (a replay). True resolves only once the claim is
   * durable; the in-memory claim is taken at once, so two concurrent connects with one token cannot both win.
   */
  async accept(tokenId: Uint8Array, expiresAtMs: number): Promise<boolean> {
    const key = Buffer.from(tokenId).toString('latin1');
    if (this.seen.has(key)) return false;
    this.seen.set(key, expiresAtMs);
    if (this.write === null) return true;
    // If the write fails this rejects: the token stays claimed in memory (refusing it later is safe) and the
    // caller refuses the connection.
    await new Promise<void>((resolve, reject) => {
      this.batch.push({ id: Buffer.from(tokenId), expiresAtMs, resolve, reject });
      this.schedule();
    });
    return true;
  }

  /** Forgets tokens whose window has passed. */
  prune(nowMs: number): void {
    for (const [key, expires] of this.seen) if (expires < nowMs) this.seen.delete(key);
    this.db?.prepare('DELETE FROM accepted_connect_tokens WHERE expires_at_ms < ?').run(nowMs);
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
