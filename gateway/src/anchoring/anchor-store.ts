/**
 * Anchor states per checkpoint and chain, as the anchor service reports them (spec section 6; issue 4):
 * submitted -> included -> final, or superseded (a newer checkpoint's anchor covers this one) or failed.
 * One row per (checkpoint, chain): the latest observation wins, so a late or replayed result never moves a
 * state back; a reorg that drops an included transaction arrives as a newer `submitted`.
 */
import { ANCHOR_RESULT_FORMAT, checkpointDigestHex, type AnchorResultData, type AnchorState } from '@trialgate/proof-formats';
import { durably, type StateDatabase } from '../storage/state-database.js';
import { AnchoringError } from './anchoring-error.js';

export interface StoredAnchor {
  readonly treeSize: number;
  readonly chainId: number;
  readonly state: AnchorState;
  readonly txHash: `0x${string}` | null;
  readonly from: `0x${string}` | null;
  readonly blockNumber: number | null;
  readonly blockHash: `0x${string}` | null;
  readonly supersededBy: number | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly observedAtMs: number;
}

interface AnchorRow {
  readonly tree_size: number;
  readonly chain_id: number;
  readonly state: AnchorState;
  readonly tx_hash: string | null;
  readonly from_address: string | null;
  readonly block_number: number | null;
  readonly block_hash: string | null;
  readonly superseded_by: number | null;
  readonly error_code: string | null;
  readonly error_message: string | null;
  readonly observed_at_ms: number;
}

const STATES: readonly AnchorState[] = ['submitted', 'included', 'final', 'superseded', 'failed'];
const HEX = /^0x[0-9a-fA-F]*$/;

export type RecordAnchorOutcome = 'stored' | 'stale';

export class AnchorStore {
  readonly #db: StateDatabase;
  readonly #origin: string;

  constructor(db: StateDatabase, origin: string) {
    this.#db = db;
    this.#origin = origin;
  }

  /**
   * Stores an anchor result. Attacker-controlled: job data from Redis, which anyone with access to it can
   * write. It is checked field by field, and must name this origin and a checkpoint this gateway signed,
   * with that checkpoint's digest; anything else is refused with E_ANCHOR_RESULT_INVALID.
   */
  record(value: unknown): RecordAnchorOutcome {
    const result = parseAnchorResult(value);
    if (result.origin !== this.#origin) {
      throw invalid(`a result for origin ${result.origin}, not ${this.#origin}`);
    }
    const checkpoint = this.#db.prepare('SELECT note FROM checkpoints WHERE tree_size = ?').get(result.treeSize) as
      | { note: string }
      | undefined;
    if (checkpoint === undefined) throw invalid(`no checkpoint of size ${result.treeSize}`);
    if (checkpointDigestHex(checkpoint.note).toLowerCase() !== result.digest.toLowerCase()) {
      throw invalid(`the digest is not that of checkpoint ${result.treeSize}`);
    }
    return durably(this.#db, () => {
      const existing = this.#db
        .prepare('SELECT state, observed_at_ms FROM anchors WHERE tree_size = ? AND chain_id = ?')
        .get(result.treeSize, result.chainId) as { state: AnchorState; observed_at_ms: number } | undefined;
      if (existing !== undefined) {
        const older = result.observedAtMs < existing.observed_at_ms;
        const sameTimeLower =
          result.observedAtMs === existing.observed_at_ms && STATES.indexOf(result.state) < STATES.indexOf(existing.state);
        if (older || sameTimeLower) return 'stale';
      }
      this.#db
        .prepare(
          `INSERT INTO anchors (tree_size, chain_id, state, tx_hash, from_address, block_number, block_hash, superseded_by,
             error_code, error_message, observed_at_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (tree_size, chain_id) DO UPDATE SET state = excluded.state, tx_hash = excluded.tx_hash,
             from_address = excluded.from_address, block_number = excluded.block_number, block_hash = excluded.block_hash,
             superseded_by = excluded.superseded_by, error_code = excluded.error_code,
             error_message = excluded.error_message, observed_at_ms = excluded.observed_at_ms`,
        )
        .run(
          result.treeSize,
          result.chainId,
          result.state,
          result.txHash ?? null,
          result.from ?? null,
          result.blockNumber ?? null,
          result.blockHash ?? null,
          result.supersededBy ?? null,
          result.error?.code ?? null,
          result.error?.message ?? null,
          result.observedAtMs,
        );
      return 'stored';
    });
  }

  forCheckpoint(treeSize: number): StoredAnchor[] {
    const rows = this.#db
      .prepare('SELECT * FROM anchors WHERE tree_size = ? ORDER BY chain_id')
      .all(treeSize) as AnchorRow[];
    return rows.map(fromRow);
  }

  /** Every final anchor, by tree size. */
  finalAnchors(): Map<number, StoredAnchor[]> {
    const rows = this.#db
      .prepare("SELECT * FROM anchors WHERE state = 'final' ORDER BY tree_size, chain_id")
      .all() as AnchorRow[];
    const out = new Map<number, StoredAnchor[]>();
    for (const row of rows) {
      const list = out.get(row.tree_size) ?? [];
      list.push(fromRow(row));
      out.set(row.tree_size, list);
    }
    return out;
  }

  /** The largest checkpoint size with a final anchor on some chain (0 if none). */
  largestFinalSize(): number {
    const row = this.#db.prepare("SELECT MAX(tree_size) AS size FROM anchors WHERE state = 'final'").get() as {
      size: number | null;
    };
    return row.size ?? 0;
  }

  /**
   * Anchoring lag: entries not covered by a final anchor, and seconds since the oldest checkpoint not covered
   * was signed (anchoring the newest checkpoint covers every earlier one, spec section 6).
   */
  lag(treeSize: number, nowMs: number): { readonly entries: number; readonly seconds: number } {
    const finalSize = this.largestFinalSize();
    const oldest = this.#db
      .prepare('SELECT signed_at_ms FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT 1')
      .get(finalSize) as { signed_at_ms: number } | undefined;
    return {
      entries: Math.max(0, treeSize - finalSize),
      seconds: oldest === undefined ? 0 : Math.max(0, (nowMs - oldest.signed_at_ms) / 1000),
    };
  }
}

function fromRow(row: AnchorRow): StoredAnchor {
  return {
    treeSize: row.tree_size,
    chainId: row.chain_id,
    state: row.state,
    txHash: row.tx_hash as `0x${string}` | null,
    from: row.from_address as `0x${string}` | null,
    blockNumber: row.block_number,
    blockHash: row.block_hash as `0x${string}` | null,
    supersededBy: row.superseded_by,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    observedAtMs: row.observed_at_ms,
  };
}

/** Attacker-controlled: job data read from Redis. Checks every field before anything is stored. */
export function parseAnchorResult(value: unknown): AnchorResultData {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('not an object');
  const v = value as Record<string, unknown>;
  if (v['format'] !== ANCHOR_RESULT_FORMAT) throw invalid(`unknown format ${String(v['format'])}`);
  const text = (name: string, max = 1024): string => {
    const field = v[name];
    if (typeof field !== 'string' || field.length === 0 || field.length > max) throw invalid(`${name} is not text`);
    return field;
  };
  const integer = (name: string): number => {
    const field = v[name];
    if (typeof field !== 'number' || !Number.isSafeInteger(field) || field < 0) throw invalid(`${name} is not an integer`);
    return field;
  };
  const hex = (name: string, length?: number): `0x${string}` | undefined => {
    const field = v[name];
    if (field === undefined || field === null) return undefined;
    if (typeof field !== 'string' || !HEX.test(field) || (length !== undefined && field.length !== 2 + length * 2)) {
      throw invalid(`${name} is not 0x-hex`);
    }
    return field as `0x${string}`;
  };
  const optionalInteger = (name: string): number | undefined => (v[name] === undefined || v[name] === null ? undefined : integer(name));
  const state = v['state'];
  if (typeof state !== 'string' || !STATES.includes(state as AnchorState)) throw invalid('unknown state');
  const digest = hex('digest', 32);
  if (digest === undefined) throw invalid('digest is missing');
  let error: { code: string; message: string } | undefined;
  if (v['error'] !== undefined && v['error'] !== null) {
    const e = v['error'] as Record<string, unknown>;
    if (typeof e !== 'object' || typeof e['code'] !== 'string' || typeof e['message'] !== 'string') {
      throw invalid('error is not {code, message}');
    }
    error = { code: e['code'].slice(0, 100), message: e['message'].slice(0, 2000) };
  }
  const txHash = hex('txHash', 32);
  const from = hex('from', 20);
  const blockNumber = optionalInteger('blockNumber');
  const blockHash = hex('blockHash', 32);
  const supersededBy = optionalInteger('supersededBy');
  if ((state === 'included' || state === 'final') && (txHash === undefined || blockNumber === undefined)) {
    throw invalid(`a ${state} anchor needs txHash and blockNumber`);
  }
  return {
    format: ANCHOR_RESULT_FORMAT,
    origin: text('origin'),
    treeSize: integer('treeSize'),
    digest,
    state: state as AnchorState,
    chainId: integer('chainId'),
    observedAtMs: integer('observedAtMs'),
    ...(txHash === undefined ? {} : { txHash }),
    ...(from === undefined ? {} : { from }),
    ...(blockNumber === undefined ? {} : { blockNumber }),
    ...(blockHash === undefined ? {} : { blockHash }),
    ...(supersededBy === undefined ? {} : { supersededBy }),
    ...(error === undefined ? {} : { error }),
  };
}

function invalid(why: string): AnchoringError {
  return new AnchoringError('E_ANCHOR_RESULT_INVALID', `an anchor result was refused: ${why}`, { details: { why } });
}
