/**
 * The contract every `AnchorStateStore` adapter meets: run by the memory adapter's unit test and the Redis
 * adapter's integration test, so the fake cannot drift from the real one.
 */
import { describe, expect, it } from 'vitest';
import type { Address, Hex } from '../chain/anchor-chain.js';
import { newAnchorRecord, type AnchorRecord } from './anchor-record.js';
import type { AnchorStateStore } from './anchor-state-store.js';

const ORIGIN = 'trial.example/site-042/gw-1';
const ADDRESS: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const digest = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;

function pendingFrom(record: AnchorRecord, nonce: number): AnchorRecord {
  return {
    ...record,
    state: 'pending',
    from: ADDRESS,
    nonce,
    attempts: [{ hash: digest(9), serialized: '0x02', gas: '26736', maxFeePerGas: '2', maxPriorityFeePerGas: '1', signedAtMs: 5 }],
  };
}

export function describeAnchorStateStoreContract(name: string, open: () => Promise<AnchorStateStore> | AnchorStateStore): void {
  describe(`AnchorStateStore contract: ${name}`, () => {
    it('creates a record once and returns the stored one when offered again', async () => {
      const store = await open();
      const first = await store.offer(newAnchorRecord(1, ORIGIN, 10, digest(10), 100));
      expect(first).toMatchObject({ kind: 'offered', newest: 10, record: { state: 'waiting', rev: 1, offeredAtMs: 100 } });
      const again = await store.offer(newAnchorRecord(1, ORIGIN, 10, digest(10), 999));
      expect(again).toMatchObject({ kind: 'offered', record: { offeredAtMs: 100 } });
      expect(await store.load(1, ORIGIN, 10)).toMatchObject({ offeredAtMs: 100 });
      expect(await store.load(1, ORIGIN, 11)).toBeNull();
    });

    it('reports a conflict for the same tree size with another digest, and writes nothing', async () => {
      const store = await open();
      await store.offer(newAnchorRecord(1, ORIGIN, 10, digest(10), 100));
      const conflict = await store.offer(newAnchorRecord(1, ORIGIN, 10, digest(11), 100));
      expect(conflict).toMatchObject({ kind: 'conflict', record: { digest: digest(10) } });
      expect(await store.newest(1, ORIGIN)).toBe(10);
    });

    it('tracks the newest tree size offered per chain and origin, never lowering it', async () => {
      const store = await open();
      await store.offer(newAnchorRecord(1, ORIGIN, 20, digest(20), 1));
      const older = await store.offer(newAnchorRecord(1, ORIGIN, 15, digest(15), 2));
      expect(older).toMatchObject({ kind: 'offered', newest: 20 });
      expect(await store.newest(1, ORIGIN)).toBe(20);
      expect(await store.newest(2, ORIGIN)).toBeNull();
      expect(await store.newest(1, 'other.example/gw')).toBeNull();
    });

    it('updates a record only from the revision it was read at', async () => {
      const store = await open();
      const offered = await store.offer(newAnchorRecord(1, ORIGIN, 10, digest(10), 1));
      if (offered.kind !== 'offered') throw new Error('expected offered');
      const updated = await store.update(offered.record, { ...offered.record, state: 'superseded', supersededBy: 12 });
      expect(updated).toMatchObject({ rev: 2, state: 'superseded' });
      expect(await store.update(offered.record, { ...offered.record, state: 'superseded', supersededBy: 13 })).toBeNull();
      expect(await store.load(1, ORIGIN, 10)).toMatchObject({ rev: 2, supersededBy: 12 });
    });

    it('claims a nonce once: a second claim with the same expected nonce loses', async () => {
      const store = await open();
      const a = await store.offer(newAnchorRecord(7, ORIGIN, 10, digest(10), 1));
      const b = await store.offer(newAnchorRecord(7, 'other.example/gw', 4, digest(4), 1));
      if (a.kind !== 'offered' || b.kind !== 'offered') throw new Error('expected offered');
      expect(await store.nextNonce(7, ADDRESS)).toBeNull();
      const first = await store.claim({ previous: a.record, next: pendingFrom(a.record, 0), address: ADDRESS, expectedNextNonce: null, nowMs: 50 });
      expect(first).toMatchObject({ kind: 'claimed', record: { rev: 2, state: 'pending', nonce: 0 } });
      const second = await store.claim({ previous: b.record, next: pendingFrom(b.record, 0), address: ADDRESS, expectedNextNonce: null, nowMs: 51 });
      expect(second).toEqual({ kind: 'nonce-moved' });
      expect(await store.nextNonce(7, ADDRESS)).toBe(1);
      expect(await store.nextNonce(7, ADDRESS.toLowerCase() as Address)).toBe(1);
      expect(await store.lastClaimAtMs(7, ORIGIN)).toBe(50);
      expect(await store.lastClaimAtMs(7, 'other.example/gw')).toBeNull();
      const third = await store.claim({ previous: b.record, next: pendingFrom(b.record, 1), address: ADDRESS, expectedNextNonce: 1, nowMs: 52 });
      expect(third.kind).toBe('claimed');
      expect(await store.nextNonce(7, ADDRESS)).toBe(2);
    });

    it('refuses a claim for a changed record, and supersedes one with a newer checkpoint offered', async () => {
      const store = await open();
      const a = await store.offer(newAnchorRecord(3, ORIGIN, 10, digest(10), 1));
      if (a.kind !== 'offered') throw new Error('expected offered');
      const moved = await store.update(a.record, { ...a.record, reanchors: 1 });
      expect(moved).not.toBeNull();
      expect(await store.claim({ previous: a.record, next: pendingFrom(a.record, 0), address: ADDRESS, expectedNextNonce: null, nowMs: 1 })).toEqual({
        kind: 'record-changed',
      });
      await store.offer(newAnchorRecord(3, ORIGIN, 30, digest(30), 2));
      if (moved === null) throw new Error('expected moved');
      expect(await store.claim({ previous: moved, next: pendingFrom(moved, 0), address: ADDRESS, expectedNextNonce: null, nowMs: 1 })).toEqual({
        kind: 'superseded',
        newest: 30,
      });
      expect(await store.nextNonce(3, ADDRESS)).toBeNull();
    });
  });
}
