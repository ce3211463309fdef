/**
 * The state port: where anchor records, the next nonce per (chain, address), the newest checkpoint offered
 * per (chain, origin) and the time of the last anchor per (chain, origin) live. Every write is atomic and
 * conditional, so several workers (or two processors of one job after a stalled-job misfire) never take one
 * nonce twice and never give one checkpoint two anchors on one chain. Adapters: Redis (Lua scripts,
 * `createRedisAnchorStateStore`) and memory (`createMemoryAnchorStateStore`), held to one contract suite.
 */
import type { Address } from '../chain/anchor-chain.js';
import type { AnchorRecord } from './anchor-record.js';

export type OfferOutcome =
  | { readonly kind: 'offered'; readonly record: AnchorRecord; readonly newest: number }
  /** A record of this (chain, origin, tree size) exists with another digest. */
  | { readonly kind: 'conflict'; readonly record: AnchorRecord };

export type ClaimOutcome =
  | { readonly kind: 'claimed'; readonly record: AnchorRecord }
  /** Another claim took the expected nonce first: read again and retry. */
  | { readonly kind: 'nonce-moved' }
  /** The record changed since it was read: read again. */
  | { readonly kind: 'record-changed' }
  /** A newer checkpoint of the origin was offered meanwhile: this one is superseded, not sent. */
  | { readonly kind: 'superseded'; readonly newest: number };

export interface ClaimInput {
  /** The record as read (state `waiting`). */
  readonly previous: AnchorRecord;
  /** The record to store: state `pending`, with `nonce`, `from` and the first signed attempt. */
  readonly next: AnchorRecord;
  readonly address: Address;
  /** The next-nonce value read before signing (null when none was stored yet). */
  readonly expectedNextNonce: number | null;
  readonly nowMs: number;
}

export interface AnchorStateStore {
  /**
   * Creates the record if it does not exist (else returns the stored one) and raises the origin's newest
   * offered tree size on this chain. A stored record with another digest is a conflict, and then nothing
   * is written.
   */
  offer(record: AnchorRecord): Promise<OfferOutcome>;
  load(chainId: number, origin: string, treeSize: number): Promise<AnchorRecord | null>;
  newest(chainId: number, origin: string): Promise<number | null>;
  /** When the last anchor of this origin was claimed on this chain (ms since the epoch). */
  lastClaimAtMs(chainId: number, origin: string): Promise<number | null>;
  nextNonce(chainId: number, address: Address): Promise<number | null>;
  /**
   * Compare-and-set on `previous.rev`: stores `next` with `rev = previous.rev + 1` and returns it, or returns
   * null when the stored record is no longer `previous`.
   */
  update(previous: AnchorRecord, next: AnchorRecord): Promise<AnchorRecord | null>;
  /**
   * Atomically: if the stored next nonce is still `expectedNextNonce`, the record still `previous`, and no
   * newer checkpoint of the origin was offered, stores `next` (rev + 1), sets the next nonce to
   * `next.nonce + 1` and the origin's last-claim time to `nowMs`.
   */
  claim(input: ClaimInput): Promise<ClaimOutcome>;
  close?(): Promise<void>;
}
