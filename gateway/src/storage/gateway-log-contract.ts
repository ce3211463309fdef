/**
 * The contract every `GatewayLog` adapter passes (STYLE.md rule 5): the in-memory one the device side tests
 * against and the durable one the gateway runs cannot drift apart. Used by `memory-gateway-log.test.ts` and
 * `durable-gateway-log.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '@trialgate/proof-formats';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import { entryBytes } from './entry-bytes.js';
import type { CommittedEntry, GatewayLog, QuarantineInput } from './gateway-log.js';
import type { QuarantineQuery } from './quarantine-query.js';
import { MAX_ENTRY_BYTES, MAX_QUARANTINE_ORIGINAL_BYTES } from './storage-limits.js';

export interface GatewayLogUnderTest {
  readonly log: GatewayLog & QuarantineQuery;
  /** Closes the log and opens it again on the same storage (durable adapters only). */
  readonly reopen?: () => Promise<GatewayLog & QuarantineQuery>;
  readonly cleanup: () => Promise<void>;
}

export function sampleEntry(overrides: Partial<LogEntry> = {}): LogEntry {
  return {
    receivedAtMs: 1_700_000_000_000,
    transport: 'mqtt',
    deviceId: 'dev-1',
    contentType: 'cose-sign1',
    original: new Uint8Array([0xd2, 0x84, 1, 2, 3]),
    ...overrides,
  };
}

export function sampleQuarantine(overrides: Partial<QuarantineInput> = {}): QuarantineInput {
  return {
    receivedAtMs: 1_700_000_000_000,
    transport: 'mqtt',
    claimedDeviceId: 'dev-1',
    source: 'tg/v1/dev/dev-1/up',
    reason: 'E_COSE_SIGNATURE',
    message: 'the signature does not verify',
    details: { kid: 'dev-1' },
    original: new Uint8Array([9, 9, 9]),
    ...overrides,
  };
}

export function describeGatewayLogContract(name: string, create: () => Promise<GatewayLogUnderTest>): void {
  async function withLog(body: (subject: GatewayLogUnderTest) => Promise<void>): Promise<void> {
    const subject = await create();
    try {
      await body(subject);
    } finally {
      await subject.cleanup();
    }
  }

  describe(`GatewayLog contract: ${name}`, () => {
    it('assigns consecutive indices from 0 and stores exactly the encoded entry bytes', () =>
      withLog(async ({ log }) => {
        expect(log.size()).toBe(0);
        const a = sampleEntry({ original: new Uint8Array([1]) });
        const b = sampleEntry({ original: new Uint8Array([2]), deviceId: 'dev-2', contentType: 'gatt:2a37' });
        expect(await log.append(a)).toEqual({ status: 'appended', index: 0 });
        expect(await log.append(b)).toEqual({ status: 'appended', index: 1 });
        expect(log.size()).toBe(2);
        expect(log.readEntry(0)).toEqual(entryBytes(a));
        expect(log.readEntry(1)).toEqual(entryBytes(b));
      }));

    it('appends concurrent appends in call order', () =>
      withLog(async ({ log }) => {
        const entries = Array.from({ length: 50 }, (_, i) => sampleEntry({ original: new Uint8Array([i]) }));
        const outcomes = await Promise.all(entries.map((e) => log.append(e)));
        expect(outcomes.map((o) => o.index)).toEqual(entries.map((_, i) => i));
        for (const [i, e] of entries.entries()) expect(log.readEntry(i)).toEqual(entryBytes(e));
      }));

    it('refuses an index outside the log with E_STORAGE_INDEX_RANGE', () =>
      withLog(async ({ log }) => {
        await log.append(sampleEntry());
        for (const bad of [1, -1, 0.5, Number.NaN]) {
          expect(() => log.readEntry(bad)).toThrow(expect.objectContaining({ code: 'E_STORAGE_INDEX_RANGE' }));
        }
      }));

    it('acknowledges a retransmission (same device, seq and original) as a duplicate without appending', () =>
      withLog(async ({ log }) => {
        const claim = { deviceId: 'dev-1', seq: 7 };
        expect(await log.append(sampleEntry(), claim)).toEqual({ status: 'appended', index: 0 });
        // A retransmission arrives later: another receivedAtMs, the same original bytes.
        const again = sampleEntry({ receivedAtMs: 1_700_000_009_999 });
        expect(await log.append(again, claim)).toEqual({ status: 'duplicate', index: 0 });
        expect(log.size()).toBe(1);
      }));

    it('reports the same (device, seq) with other bytes as a conflict, without appending', () =>
      withLog(async ({ log }) => {
        const claim = { deviceId: 'dev-1', seq: 7 };
        await log.append(sampleEntry(), claim);
        const other = sampleEntry({ original: new Uint8Array([0xd2, 0x84, 4, 5, 6]) });
        expect(await log.append(other, claim)).toEqual({ status: 'conflict', index: 0 });
        expect(log.size()).toBe(1);
      }));

    it('decides two appends of one (device, seq) in the same batch atomically', () =>
      withLog(async ({ log }) => {
        const claim = { deviceId: 'dev-1', seq: 1 };
        const other = sampleEntry({ original: new Uint8Array([42]) });
        const [first, second, third] = await Promise.all([
          log.append(sampleEntry(), claim),
          log.append(sampleEntry(), claim),
          log.append(other, claim),
        ]);
        expect(first).toEqual({ status: 'appended', index: 0 });
        expect(second).toEqual({ status: 'duplicate', index: 0 });
        expect(third).toEqual({ status: 'conflict', index: 0 });
        expect(log.size()).toBe(1);
      }));

    it('keeps seq numbers of different devices apart, and appends without a claim unconditionally', () =>
      withLog(async ({ log }) => {
        expect((await log.append(sampleEntry(), { deviceId: 'dev-1', seq: 1 })).status).toBe('appended');
        expect((await log.append(sampleEntry({ deviceId: 'dev-2' }), { deviceId: 'dev-2', seq: 1 })).status).toBe(
          'appended',
        );
        expect((await log.append(sampleEntry())).status).toBe('appended');
        expect((await log.append(sampleEntry())).status).toBe('appended');
        expect(log.size()).toBe(4);
      }));

    it('calls committed listeners in index order, before the appends resolve, only for new entries', () =>
      withLog(async ({ log }) => {
        const seen: CommittedEntry[] = [];
        const sizeWhenResolved: number[] = [];
        const off = log.onCommitted((entries) => seen.push(...entries));
        const claim = { deviceId: 'dev-1', seq: 3 };
        const a = sampleEntry({ original: new Uint8Array([1]) });
        await Promise.all([
          log.append(a, claim).then(() => sizeWhenResolved.push(seen.length)),
          log.append(a, claim),
          log.append(sampleEntry({ original: new Uint8Array([2]) })),
        ]);
        expect(sizeWhenResolved[0]).toBeGreaterThanOrEqual(1);
        expect(seen.map((c) => c.index)).toEqual([0, 1]);
        expect(seen[0]?.bytes).toEqual(entryBytes(a));
        expect(seen[0]?.entry.original).toEqual(a.original);
        off();
        await log.append(sampleEntry());
        expect(seen).toHaveLength(2);
      }));

    it('refuses an entry larger than the storage bound (64 KiB) with E_STORAGE_ENTRY_TOO_LARGE', () =>
      withLog(async ({ log }) => {
        const huge = sampleEntry({ original: new Uint8Array(MAX_ENTRY_BYTES + 1) });
        await expect(log.append(huge)).rejects.toMatchObject({ code: 'E_STORAGE_ENTRY_TOO_LARGE' });
        expect(log.size()).toBe(0);
      }));

    it('refuses an entry that breaks spec section 4 with a typed error, appending nothing', () =>
      withLog(async ({ log }) => {
        const bad = { ...sampleEntry(), transport: 'carrier-pigeon' } as unknown as LogEntry;
        await expect(log.append(bad)).rejects.toSatisfy((e: unknown) => isTrialgateError(e));
        expect(log.size()).toBe(0);
      }));

    it('keeps an oversized quarantined original truncated, and says so', () =>
      withLog(async ({ log }) => {
        const record = await log.quarantine(sampleQuarantine({ original: new Uint8Array(MAX_QUARANTINE_ORIGINAL_BYTES + 5) }));
        expect(record.original.length).toBe(MAX_QUARANTINE_ORIGINAL_BYTES);
        expect(record.details).toMatchObject({ originalLength: MAX_QUARANTINE_ORIGINAL_BYTES + 5, originalTruncated: true });
        expect(log.listQuarantine()[0]?.original.length).toBe(MAX_QUARANTINE_ORIGINAL_BYTES);
      }));

    it('keeps quarantined messages as received, with increasing ids, listable with filters', () =>
      withLog(async ({ log }) => {
        const first = await log.quarantine(sampleQuarantine());
        const second = await log.quarantine(
          sampleQuarantine({ reason: 'E_SEQ_CONFLICT', claimedDeviceId: null, receivedAtMs: 1_700_000_000_500 }),
        );
        expect(second.id).toBeGreaterThan(first.id);
        expect(first).toMatchObject({ ...sampleQuarantine(), id: first.id });
        expect(log.listQuarantine().map((r) => r.id)).toEqual([first.id, second.id]);
        expect(log.listQuarantine({ reason: 'E_SEQ_CONFLICT' }).map((r) => r.id)).toEqual([second.id]);
        expect(log.listQuarantine({ claimedDeviceId: 'dev-1' }).map((r) => r.id)).toEqual([first.id]);
        expect(log.listQuarantine({ fromMs: 1_700_000_000_100 }).map((r) => r.id)).toEqual([second.id]);
        expect(log.listQuarantine({ toMs: 1_700_000_000_100 }).map((r) => r.id)).toEqual([first.id]);
        expect(log.listQuarantine({ afterId: first.id }).map((r) => r.id)).toEqual([second.id]);
        expect(log.listQuarantine({ limit: 1 }).map((r) => r.id)).toEqual([first.id]);
        expect(log.listQuarantine()[1]?.original).toEqual(new Uint8Array([9, 9, 9]));
        expect(log.countQuarantineByReason()).toEqual({ E_COSE_SIGNATURE: 1, E_SEQ_CONFLICT: 1 });
        expect(log.size()).toBe(0);
      }));

    it('finishes in-flight appends on close, then refuses with E_STORAGE_CLOSED', () =>
      withLog(async ({ log }) => {
        const inFlight = [log.append(sampleEntry()), log.quarantine(sampleQuarantine())];
        await log.close();
        const [appended] = await Promise.all(inFlight);
        expect(appended).toEqual({ status: 'appended', index: 0 });
        await expect(log.append(sampleEntry())).rejects.toSatisfy(
          (e: unknown) => isTrialgateError(e) && e.code === 'E_STORAGE_CLOSED',
        );
        await expect(log.quarantine(sampleQuarantine())).rejects.toMatchObject({ code: 'E_STORAGE_CLOSED' });
      }));

    it('keeps entries, seq decisions and quarantine across a reopen (durable adapters)', async () => {
      const subject = await create();
      try {
        if (subject.reopen === undefined) return;
        const claim = { deviceId: 'dev-9', seq: 1 };
        await subject.log.append(sampleEntry({ deviceId: 'dev-9' }), claim);
        await subject.log.quarantine(sampleQuarantine());
        const reopened = await subject.reopen();
        expect(reopened.size()).toBe(1);
        expect(reopened.readEntry(0)).toEqual(entryBytes(sampleEntry({ deviceId: 'dev-9' })));
        expect(await reopened.append(sampleEntry({ deviceId: 'dev-9' }), claim)).toEqual({
          status: 'duplicate',
          index: 0,
        });
        expect(reopened.listQuarantine()).toHaveLength(1);
      } finally {
        await subject.cleanup();
      }
    });
  });
}
