/**
 * The state port in memory, for unit tests and single-process use. Same semantics as the Redis adapter
 * (held to the same contract suite); records are copied through JSON on the way in and out, as Redis does.
 */
import type { Address } from '../chain/anchor-chain.js';
import { parseAnchorRecord, type AnchorRecord } from './anchor-record.js';
import { anchorStateKeys } from './anchor-state-keys.js';
import type { AnchorStateStore } from './anchor-state-store.js';

export function createMemoryAnchorStateStore(): AnchorStateStore {
  const values = new Map<string, string>();
  const keys = anchorStateKeys('memory');
  const read = (key: string): AnchorRecord | null => {
    const text = values.get(key);
    return text === undefined ? null : parseAnchorRecord(text);
  };
  const count = (key: string): number | null => {
    const text = values.get(key);
    return text === undefined ? null : Number(text);
  };
  return {
    offer(record) {
      const key = keys.record(record.chainId, record.origin, record.treeSize);
      const stored = read(key);
      if (stored !== null && stored.digest !== record.digest) return Promise.resolve({ kind: 'conflict', record: stored });
      if (stored === null) values.set(key, JSON.stringify(record));
      const newestKey = keys.newest(record.chainId, record.origin);
      const newest = Math.max(count(newestKey) ?? -1, record.treeSize);
      values.set(newestKey, String(newest));
      return Promise.resolve({ kind: 'offered', record: stored ?? record, newest });
    },
    load: (chainId, origin, treeSize) => Promise.resolve(read(keys.record(chainId, origin, treeSize))),
    newest: (chainId, origin) => Promise.resolve(count(keys.newest(chainId, origin))),
    lastClaimAtMs: (chainId, origin) => Promise.resolve(count(keys.lastClaim(chainId, origin))),
    nextNonce: (chainId, address: Address) => Promise.resolve(count(keys.nonce(chainId, address))),
    update(previous, next) {
      const key = keys.record(previous.chainId, previous.origin, previous.treeSize);
      if (read(key)?.rev !== previous.rev) return Promise.resolve(null);
      const stored: AnchorRecord = { ...next, rev: previous.rev + 1 };
      values.set(key, JSON.stringify(stored));
      return Promise.resolve(stored);
    },
    claim(input) {
      const { previous, next } = input;
      if (next.nonce === undefined) throw new TypeError('claim: the next record has no nonce');
      const nonceKey = keys.nonce(previous.chainId, input.address);
      const recordKey = keys.record(previous.chainId, previous.origin, previous.treeSize);
      if (count(nonceKey) !== input.expectedNextNonce) return Promise.resolve({ kind: 'nonce-moved' });
      if (read(recordKey)?.rev !== previous.rev) return Promise.resolve({ kind: 'record-changed' });
      const newest = count(keys.newest(previous.chainId, previous.origin));
      if (newest !== null && newest > previous.treeSize) return Promise.resolve({ kind: 'superseded', newest });
      const stored: AnchorRecord = { ...next, rev: previous.rev + 1 };
      values.set(nonceKey, String(next.nonce + 1));
      values.set(recordKey, JSON.stringify(stored));
      values.set(keys.lastClaim(previous.chainId, previous.origin), String(input.nowMs));
      return Promise.resolve({ kind: 'claimed', record: stored });
    },
  };
}
