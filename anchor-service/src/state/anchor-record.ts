/**
 * What the service remembers about one checkpoint on one chain, in Redis, so that any worker (or the same one
 * after a crash) continues exactly where the last one stopped. The record is written before every outward
 * effect: a transaction is signed and persisted with its nonce and hash before it is broadcast, so a retry
 * finds it and rebroadcasts the same bytes instead of anchoring twice.
 *
 * States: waiting (no nonce yet) -> pending (nonce taken, one or more signed attempts with that nonce, the
 * last one possibly not yet broadcast) -> included (a receipt in a canonical block) -> final; or waiting ->
 * superseded. A reorg moves included back to pending (same nonce, rebroadcast); a nonce used by a stranger
 * or a reverted transaction moves pending back to waiting (a new nonce).
 */
import type { Address, Hex } from '../chain/anchor-chain.js';

export type AnchorRecordState = 'waiting' | 'pending' | 'included' | 'final' | 'superseded';

export interface AnchorAttempt {
  readonly hash: Hex;
  /** The signed bytes; kept for the newest attempt only (older ones are never rebroadcast). */
  readonly serialized?: Hex;
  /** Decimal wei strings (JSON has no bigint). */
  readonly gas: string;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
  readonly signedAtMs: number;
  /** When a node last accepted (or already knew) these bytes; absent until the first broadcast. */
  readonly broadcastAtMs?: number;
}

export interface AnchorInclusion {
  readonly txHash: Hex;
  readonly blockNumber: number;
  readonly blockHash: Hex;
}

export interface AnchorRecord {
  readonly v: 1;
  /** Incremented by every write; writes are compare-and-set on it. */
  readonly rev: number;
  readonly chainId: number;
  readonly origin: string;
  readonly treeSize: number;
  readonly digest: Hex;
  readonly state: AnchorRecordState;
  /** When a worker first took the checkpoint for this chain. */
  readonly offeredAtMs: number;
  readonly from?: Address;
  readonly nonce?: number;
  /** Attempts with `nonce`, oldest first; replacements add one each. */
  readonly attempts: readonly AnchorAttempt[];
  readonly inclusion?: AnchorInclusion;
  readonly supersededBy?: number;
  /** How often an included transaction was dropped by a reorg. */
  readonly reorgs: number;
  /** How often the anchor needed a new nonce (its nonce used elsewhere, or it reverted). */
  readonly reanchors: number;
  readonly finalAtMs?: number;
  /** The key of the last result posted to the gateway (see `resultKey`), so each state is posted once. */
  readonly posted?: string;
}

export function newAnchorRecord(chainId: number, origin: string, treeSize: number, digest: Hex, nowMs: number): AnchorRecord {
  return { v: 1, rev: 1, chainId, origin, treeSize, digest, state: 'waiting', offeredAtMs: nowMs, attempts: [], reorgs: 0, reanchors: 0 };
}

/** The newest attempt that a node has accepted, if any. */
export function lastBroadcastAttempt(record: AnchorRecord): AnchorAttempt | undefined {
  return [...record.attempts].reverse().find((attempt) => attempt.broadcastAtMs !== undefined);
}

/** Strips the signed bytes of every attempt but the newest (they are never rebroadcast). */
export function withAttempts(record: AnchorRecord, attempts: readonly AnchorAttempt[]): AnchorRecord {
  const kept = attempts.map((attempt, index) => {
    if (index === attempts.length - 1 || attempt.serialized === undefined) return attempt;
    const { serialized: _dropped, ...rest } = attempt;
    return rest;
  });
  return { ...record, attempts: kept };
}

/** Attacker-controlled (anyone who can write to Redis): checks the shape of a stored record. */
export function parseAnchorRecord(text: string): AnchorRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Partial<Record<keyof AnchorRecord, unknown>>;
  const states: readonly unknown[] = ['waiting', 'pending', 'included', 'final', 'superseded'];
  if (
    record.v !== 1 ||
    !isCount(record.rev) ||
    !isCount(record.chainId) ||
    typeof record.origin !== 'string' ||
    !isCount(record.treeSize) ||
    typeof record.digest !== 'string' ||
    !/^0x[0-9a-f]{64}$/.test(record.digest) ||
    !states.includes(record.state) ||
    !isCount(record.offeredAtMs) ||
    !Array.isArray(record.attempts) ||
    !isCount(record.reorgs) ||
    !isCount(record.reanchors)
  ) {
    return null;
  }
  if (!record.attempts.every(isAttempt)) return null;
  if (record.state === 'pending' && (!isCount(record.nonce) || record.attempts.length === 0 || typeof record.from !== 'string')) return null;
  if (record.state === 'included' || record.state === 'final') {
    const inclusion = record.inclusion as Partial<Record<keyof AnchorInclusion, unknown>> | undefined;
    if (
      typeof inclusion !== 'object' ||
      inclusion === null ||
      !isHex(inclusion.txHash) ||
      !isCount(inclusion.blockNumber) ||
      !isHex(inclusion.blockHash) ||
      typeof record.from !== 'string'
    ) {
      return null;
    }
  }
  if (record.state === 'superseded' && !isCount(record.supersededBy)) return null;
  return value as AnchorRecord;
}

function isAttempt(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const attempt = value as Partial<Record<keyof AnchorAttempt, unknown>>;
  return (
    isHex(attempt.hash) &&
    (attempt.serialized === undefined || isHex(attempt.serialized)) &&
    isDecimal(attempt.gas) &&
    isDecimal(attempt.maxFeePerGas) &&
    isDecimal(attempt.maxPriorityFeePerGas) &&
    isCount(attempt.signedAtMs) &&
    (attempt.broadcastAtMs === undefined || isCount(attempt.broadcastAtMs))
  );
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isHex(value: unknown): value is Hex {
  return typeof value === 'string' && /^0x[0-9a-fA-F]*$/.test(value);
}

function isDecimal(value: unknown): value is string {
  return typeof value === 'string' && /^(0|[1-9][0-9]{0,77})$/.test(value);
}
