/**
 * The state port on Redis (ioredis). Reads are plain GETs; every write is one of the Lua scripts in
 * `anchor-state-scripts.ts`, run with EVALSHA (falling back to EVAL once after a SCRIPT FLUSH or restart).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AnchorError } from '../errors/anchor-error.js';
import { parseAnchorRecord, type AnchorRecord } from './anchor-record.js';
import { anchorStateKeys } from './anchor-state-keys.js';
import { CLAIM_SCRIPT, OFFER_SCRIPT, UPDATE_SCRIPT } from './anchor-state-scripts.js';
import type { AnchorStateStore, ClaimOutcome, OfferOutcome } from './anchor-state-store.js';

export interface RedisAnchorStateStoreParameters {
  readonly redis: Redis;
  /** Key prefix, e.g. `bull:tg-anchor`. */
  readonly prefix: string;
}

export function createRedisAnchorStateStore(parameters: RedisAnchorStateStoreParameters): AnchorStateStore {
  const { redis } = parameters;
  const keys = anchorStateKeys(parameters.prefix);
  const run = scriptRunner(redis);

  const parse = (text: string, where: string): AnchorRecord => {
    const record = parseAnchorRecord(text);
    if (record === null) {
      throw new AnchorError('E_ANCHORING_STATE', `anchor record ${where} in Redis is unreadable`, { details: { key: where } });
    }
    return record;
  };
  const readCount = async (key: string): Promise<number | null> => {
    const value = await redis.get(key);
    if (value === null) return null;
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed) || parsed < 0) {
      throw new AnchorError('E_ANCHORING_STATE', `anchor state ${key} in Redis is not a whole number`, { details: { key } });
    }
    return parsed;
  };

  return {
    async offer(record): Promise<OfferOutcome> {
      const recordKey = keys.record(record.chainId, record.origin, record.treeSize);
      const reply = (await run(OFFER_SCRIPT, [recordKey, keys.newest(record.chainId, record.origin)], [
        String(record.treeSize),
        JSON.stringify(record),
        record.digest,
      ])) as [string, string, string];
      const stored = parse(reply[1], recordKey);
      if (reply[0] === 'conflict') return { kind: 'conflict', record: stored };
      return { kind: 'offered', record: stored, newest: Number(reply[2]) };
    },
    async load(chainId, origin, treeSize) {
      const key = keys.record(chainId, origin, treeSize);
      const text = await redis.get(key);
      return text === null ? null : parse(text, key);
    },
    newest: (chainId, origin) => readCount(keys.newest(chainId, origin)),
    lastClaimAtMs: (chainId, origin) => readCount(keys.lastClaim(chainId, origin)),
    nextNonce: (chainId, address) => readCount(keys.nonce(chainId, address)),
    async update(previous, next) {
      const stored: AnchorRecord = { ...next, rev: previous.rev + 1 };
      const written = await run(
        UPDATE_SCRIPT,
        [keys.record(previous.chainId, previous.origin, previous.treeSize)],
        [String(previous.rev), JSON.stringify(stored)],
      );
      return written === 1 ? stored : null;
    },
    async claim(input): Promise<ClaimOutcome> {
      const { previous, next } = input;
      if (next.nonce === undefined) throw new TypeError('claim: the next record has no nonce');
      const stored: AnchorRecord = { ...next, rev: previous.rev + 1 };
      const reply = (await run(
        CLAIM_SCRIPT,
        [
          keys.nonce(previous.chainId, input.address),
          keys.record(previous.chainId, previous.origin, previous.treeSize),
          keys.newest(previous.chainId, previous.origin),
          keys.lastClaim(previous.chainId, previous.origin),
        ],
        [
          input.expectedNextNonce === null ? '' : String(input.expectedNextNonce),
          String(next.nonce + 1),
          String(previous.rev),
          JSON.stringify(stored),
          String(previous.treeSize),
          String(input.nowMs),
        ],
      )) as [string, string];
      switch (reply[0]) {
        case 'claimed':
          return { kind: 'claimed', record: stored };
        case 'superseded':
          return { kind: 'superseded', newest: Number(reply[1]) };
        case 'nonce-moved':
          return { kind: 'nonce-moved' };
        default:
          return { kind: 'record-changed' };
      }
    },
  };
}

type ScriptRunner = (script: string, keys: readonly string[], args: readonly string[]) => Promise<unknown>;

/** EVALSHA with a one-time EVAL fallback when Redis does not know the script (NOSCRIPT). */
function scriptRunner(redis: Redis): ScriptRunner {
  const shas = new Map<string, string>();
  return async (script, keys, args) => {
    let sha = shas.get(script);
    if (sha === undefined) {
      sha = createHash('sha1').update(script).digest('hex');
      shas.set(script, sha);
    }
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.includes('NOSCRIPT')) {
        return redis.eval(script, keys.length, ...keys, ...args);
      }
      throw error;
    }
  };
}
