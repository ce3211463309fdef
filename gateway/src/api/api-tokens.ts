/**
 * API tokens: bearer tokens with scopes, for the sponsor routes (entries and proofs hold health data) and the
 * admin routes. A token is shown once, when created (`trialgate tokens create`), and stored only as its
 * SHA-256 (a token has 256 bits of entropy, so a plain hash is enough: nothing to brute-force). Tokens live
 * in the state database, so creating or revoking one on a running gateway's directory takes effect at once
 * (SQLite serializes the writes; the log's files are not touched).
 *
 * Scopes: `read` (entries, proofs), `export` (bundles), `admin` (registry and quarantine routes; it grants
 * `read` and `export` too).
 */
import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { durably, type StateDatabase } from '../storage/state-database.js';
import { ApiError } from './api-error.js';

export const API_SCOPES = ['read', 'export', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const API_TOKEN_PREFIX = 'tgt_';

export interface ApiTokenInfo {
  readonly id: string;
  readonly scopes: readonly ApiScope[];
  readonly label: string | null;
  readonly createdAtMs: number;
  readonly revokedAtMs: number | null;
}

export interface CreatedApiToken extends ApiTokenInfo {
  /** The secret, shown once. */
  readonly token: string;
}

interface TokenRow {
  readonly id: string;
  readonly scopes: string;
  readonly label: string | null;
  readonly created_at_ms: number;
  readonly revoked_at_ms: number | null;
}

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}

/** True if a token with `scopes` may use a route that needs `needed`. */
export function scopeAllows(scopes: readonly ApiScope[], needed: ApiScope): boolean {
  return scopes.includes(needed) || scopes.includes('admin');
}

export class ApiTokenStore {
  readonly #db: StateDatabase;
  readonly #clock: Clock;
  readonly #randomBytes: (n: number) => Uint8Array;

  constructor(db: StateDatabase, clock: Clock, randomBytes: (n: number) => Uint8Array = (n) => nodeRandomBytes(n)) {
    this.#db = db;
    this.#clock = clock;
    this.#randomBytes = randomBytes;
  }

  create(options: { readonly scopes: readonly string[]; readonly label?: string }): CreatedApiToken {
    const scopes = [...new Set(options.scopes)];
    if (scopes.length === 0) throw new ApiError('E_API_SCOPE', `a token needs a scope (${API_SCOPES.join(', ')})`);
    for (const scope of scopes) {
      if (!isApiScope(scope)) {
        throw new ApiError('E_API_SCOPE', `unknown scope ${JSON.stringify(scope)} (use ${API_SCOPES.join(', ')})`, {
          details: { scope },
        });
      }
    }
    const id = Buffer.from(this.#randomBytes(6)).toString('hex');
    const token = `${API_TOKEN_PREFIX}${Buffer.from(this.#randomBytes(32)).toString('base64url')}`;
    const createdAtMs = this.#clock.now();
    durably(this.#db, () => {
      this.#db
        .prepare('INSERT INTO api_tokens (id, token_sha256, scopes, label, created_at_ms) VALUES (?, ?, ?, ?, ?)')
        .run(id, hashToken(token), scopes.join(' '), options.label ?? null, createdAtMs);
    });
    return { id, token, scopes: scopes as ApiScope[], label: options.label ?? null, createdAtMs, revokedAtMs: null };
  }

  /** The token's id and scopes, or null if it is unknown or revoked. Attacker-controlled: `token`. */
  authenticate(token: string): ApiTokenInfo | null {
    if (typeof token !== 'string' || !token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
    const row = this.#db
      .prepare('SELECT id, scopes, label, created_at_ms, revoked_at_ms FROM api_tokens WHERE token_sha256 = ?')
      .get(hashToken(token)) as TokenRow | undefined;
    if (row === undefined || row.revoked_at_ms !== null) return null;
    return fromRow(row);
  }

  list(): ApiTokenInfo[] {
    const rows = this.#db
      .prepare('SELECT id, scopes, label, created_at_ms, revoked_at_ms FROM api_tokens ORDER BY created_at_ms, id')
      .all() as TokenRow[];
    return rows.map(fromRow);
  }

  /** Revokes a token by id; false if there is no such (unrevoked) token. */
  revoke(id: string): boolean {
    return durably(this.#db, () => {
      const result = this.#db
        .prepare('UPDATE api_tokens SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL')
        .run(this.#clock.now(), id);
      return result.changes > 0;
    });
  }
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function fromRow(row: TokenRow): ApiTokenInfo {
  return {
    id: row.id,
    scopes: row.scopes.split(' ').filter(isApiScope),
    label: row.label,
    createdAtMs: row.created_at_ms,
    revokedAtMs: row.revoked_at_ms,
  };
}
