import fc from 'fast-check';
import { Writable } from 'node:stream';
import { CborFloat, decodeCborStrict, encodeCbor, signCoseSign1 } from '@trialgate/firmware-protocol';
import { createLogger } from '../observability/logger.js';
import { describe, expect, it } from 'vitest';
import type { IngestMessage, IngestOutcome } from './ingest-message.js';
import { ingestKit, testDevice } from './ingest-test-kit.js';
import type { MessageChecker } from './message-checker.js';
import type { MessageCheckRequest } from './message-check.js';
import { createInlineMessageChecker } from './inline-message-checker.js';
import { byteChanges, withByteChanges } from '../testing/mutated-bytes.js';

function mqtt(bytes: Uint8Array, sender: string | null, receivedAtMs = 1_750_000_000_000): IngestMessage {
  return { transport: 'mqtt', bytes, receivedAtMs, senderDeviceId: sender, source: `tg/v1/dev/${sender ?? 'x'}/up` };
}

function reason(outcome: IngestOutcome): string {
  return outcome.status === 'quarantined' ? outcome.reason : outcome.status;
}

/** The log's device messages as `deviceId:seq`. */
function loggedSeqs(kit: ReturnType<typeof ingestKit>): string[] {
  const out: string[] = [];
  for (let i = 0; i < kit.log.size(); i += 1) {
    const entry = decodeCborStrict(kit.log.readEntry(i)) as unknown[];
    if (entry[4] !== 'cose-sign1') continue;
    out.push(`${String(entry[3])}`);
  }
  return out;
}

describe('IngestPipeline', () => {
  it('appends a new seq, acknowledges a retransmission without appending, quarantines a reused seq', async () => {
    const kit = ingestKit();
    const device = await kit.enroll('hr-1');
    const first = device.message(1);
    const appended = await kit.pipeline.ingest(mqtt(first, 'hr-1'));
    expect(appended).toMatchObject({ status: 'appended', deviceId: 'hr-1', seq: 1, index: 1, flags: [] });
    expect(await kit.pipeline.ingest(mqtt(first, 'hr-1'))).toEqual({ status: 'duplicate', deviceId: 'hr-1', seq: 1, index: 1 });
    const conflict = await kit.pipeline.ingest(mqtt(device.message(1, { bpm: 80 }), 'hr-1'));
    expect(conflict).toMatchObject({ status: 'quarantined', reason: 'E_SEQ_CONFLICT', deviceId: 'hr-1', seq: 1, impersonation: false });
    expect(kit.log.size()).toBe(2);
    expect(kit.log.listQuarantine()).toHaveLength(1);
    expect(kit.log.listQuarantine()[0]).toMatchObject({ reason: 'E_SEQ_CONFLICT', claimedDeviceId: 'hr-1', transport: 'mqtt', details: { seq: 1, loggedIndex: 1 } });
    const text = await kit.metrics.registry.metrics();
    expect(text).toContain('trialgate_messages_duplicate_total 1');
    expect(text).toContain('trialgate_messages_rejected_total{reason="E_SEQ_CONFLICT"} 1');
    expect(text).toContain('trialgate_messages_received_total{transport="mqtt"} 3');
    // All three were checked on the checker and went to the log (the conflict is decided there).
    expect(text).toContain('trialgate_ingest_stage_seconds_count{stage="check"} 3');
    expect(text).toContain('trialgate_ingest_stage_seconds_count{stage="append"} 3');
  });

  it('quarantines every refusal with its reason code, keeps the original bytes, and loses nothing else', async () => {
    const kit = ingestKit({ maxMessageBytes: 300 });
    const a = await kit.enroll('dev-a');
    const b = await kit.enroll('dev-b');
    const suspended = await kit.enroll('dev-s');
    await kit.admin.suspend('dev-s');
    const retired = await kit.enroll('dev-r');
    await kit.admin.retire('dev-r');
    const serialOnly = await kit.enroll('dev-serial', ['serial']);
    const stranger = testDevice('dev-unknown', kit.clock);
    const forged = a.message(9);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0x01;

    const cases: [IngestMessage, string, boolean][] = [
      [mqtt(new Uint8Array(301), 'dev-a'), 'E_MESSAGE_TOO_LARGE', false],
      [mqtt(Uint8Array.from([0xff, 0x00]), 'dev-a'), 'E_CBOR_UNEXPECTED_BREAK', false],
      [mqtt(Uint8Array.from([0x84, 0x40, 0xa0, 0x40, 0x40]), 'dev-a'), 'E_COSE_TAG', false],
      [mqtt(b.message(1), 'dev-a'), 'E_KID_NOT_SENDER', true],
      [mqtt(a.message(2, { dev: 'dev-b' }), 'dev-a'), 'E_KID_MISMATCH', true],
      [mqtt(stranger.message(1), null), 'E_DEVICE_UNKNOWN', false],
      [mqtt(suspended.message(1), 'dev-s'), 'E_DEVICE_SUSPENDED', false],
      [mqtt(retired.message(1), 'dev-r'), 'E_DEVICE_RETIRED', false],
      [mqtt(serialOnly.message(1), 'dev-serial'), 'E_DEVICE_TRANSPORT', false],
      [mqtt(forged, 'dev-a'), 'E_COSE_SIGNATURE', false],
    ];
    // Valid messages interleaved with the faults: each must be logged exactly once.
    const outcomes = await Promise.all(
      cases.flatMap(([message], i) => [kit.pipeline.ingest(message), kit.pipeline.ingest(mqtt(a.message(100 + i), 'dev-a'))]),
    );
    cases.forEach(([, code, impersonation], i) => {
      const outcome = outcomes[2 * i];
      expect(outcome === undefined ? null : reason(outcome), code).toBe(code);
      expect(outcome?.status === 'quarantined' && outcome.impersonation, code).toBe(impersonation);
      expect(outcomes[2 * i + 1]?.status).toBe('appended');
    });
    // Each fault has its record, with the original bytes (records are in decision order, not arrival order).
    const records = kit.log.listQuarantine();
    expect(records).toHaveLength(cases.length);
    for (const [message, code] of cases) {
      expect(records.find((r) => Buffer.from(r.original).equals(Buffer.from(message.bytes)))?.reason, code).toBe(code);
    }
    expect(loggedSeqs(kit).filter((d) => d === 'dev-a')).toHaveLength(cases.length);
  });

  it('refuses and quarantines any signed message from a device enrolled without a key, on every transport (E_DEVICE_NO_KEY)', async () => {
    const kit = ingestKit();
    await kit.admin.enroll({ id: 'hr-strap-1', kind: 'hr-strap', transports: ['ble'] });
    // Whoever holds some key signs as the keyless device: nothing it signs can be checked, so nothing is accepted.
    const impostor = testDevice('hr-strap-1', kit.clock);
    const sizeBefore = kit.log.size();
    for (const transport of ['ble', 'serial', 'mqtt'] as const) {
      const outcome = await kit.pipeline.ingest({ transport, bytes: impostor.message(1), receivedAtMs: kit.clock.now(), senderDeviceId: 'hr-strap-1', source: transport });
      expect(outcome, transport).toMatchObject({ status: 'quarantined', reason: 'E_DEVICE_NO_KEY', deviceId: 'hr-strap-1', impersonation: false });
      expect(outcome.status === 'quarantined' && outcome.message).toMatch(/without a public key/);
    }
    expect(kit.log.size()).toBe(sizeBefore);
    expect(kit.log.listQuarantine().map((r) => [r.transport, r.reason])).toEqual([
      ['ble', 'E_DEVICE_NO_KEY'],
      ['serial', 'E_DEVICE_NO_KEY'],
      ['mqtt', 'E_DEVICE_NO_KEY'],
    ]);
    expect(await kit.metrics.registry.metrics()).toContain('trialgate_messages_rejected_total{reason="E_DEVICE_NO_KEY"} 3');
  });

  it('flags a device clock far from the gateway, and still appends', async () => {
    const kit = ingestKit();
    const device = await kit.enroll('hr-1');
    const outcome = await kit.pipeline.ingest(mqtt(device.message(1, { t: kit.clock.now() - 3_600_000 }), 'hr-1', kit.clock.now()));
    expect(outcome).toMatchObject({ status: 'appended', flags: [{ code: 'F_CLOCK_SKEW', path: 't' }] });
    const implausible = await kit.pipeline.ingest(mqtt(device.message(2, { bpm: 400 }), 'hr-1', kit.clock.now()));
    expect(implausible).toMatchObject({ status: 'appended', flags: [{ code: 'F_IMPLAUSIBLE_VALUE' }] });
    expect(await kit.metrics.registry.metrics()).toContain('trialgate_messages_flagged_total{flag="F_CLOCK_SKEW"} 1');
  });

  it("keeps one device's messages in arrival order though signatures finish out of order", async () => {
    const inline = createInlineMessageChecker();
    let calls = 0;
    // The first of every pair of checks answers last.
    const shuffling: MessageChecker = {
      check: async (request: MessageCheckRequest) => {
        const delay = calls++ % 2 === 0 ? 20 : 0;
        await new Promise((r) => setTimeout(r, delay));
        return inline.check(request);
      },
      close: () => Promise.resolve(),
    };
    const kit = ingestKit({ checker: shuffling });
    const device = await kit.enroll('hr-1');
    const outcomes = await Promise.all([1, 2, 3, 4, 5, 6].map((seq) => kit.pipeline.ingest(mqtt(device.message(seq), 'hr-1'))));
    expect(outcomes.map((o) => (o.status === 'appended' ? o.index : -1))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a message whose device was suspended while its signature was being checked', async () => {
    const inline = createInlineMessageChecker();
    let suspend: (() => Promise<unknown>) | null = null;
    const slow: MessageChecker = {
      check: async (request: MessageCheckRequest) => {
        if (suspend !== null) await suspend();
        return inline.check(request);
      },
      close: () => Promise.resolve(),
    };
    const kit = ingestKit({ checker: slow });
    const device = await kit.enroll('hr-1');
    suspend = () => kit.admin.suspend('hr-1');
    expect(reason(await kit.pipeline.ingest(mqtt(device.message(1), 'hr-1')))).toBe('E_DEVICE_SUSPENDED');
  });

  it('verifies under a key rotated while the message was in flight', async () => {
    const kit = ingestKit();
    const device = await kit.enroll('hr-1');
    const replacement = testDevice('hr-1', kit.clock);
    await kit.admin.rotateKey('hr-1', replacement.publicKey);
    expect(reason(await kit.pipeline.ingest(mqtt(device.message(1), 'hr-1')))).toBe('E_COSE_SIGNATURE');
    expect(reason(await kit.pipeline.ingest(mqtt(replacement.message(1), 'hr-1')))).toBe('appended');
  });

  it('does not decide when the log fails: the promise rejects and nothing is acknowledged', async () => {
    const kit = ingestKit();
    const device = await kit.enroll('hr-1');
    const { StorageError } = await import('../storage/storage-error.js');
    kit.log.injectFailure(new StorageError('E_STORAGE_NO_SPACE', 'disk full'));
    await expect(kit.pipeline.ingest(mqtt(device.message(1), 'hr-1'))).rejects.toMatchObject({ code: 'E_STORAGE_NO_SPACE' });
    await expect(kit.pipeline.ingest(mqtt(new Uint8Array([1]), 'hr-1'))).rejects.toMatchObject({ code: 'E_STORAGE_NO_SPACE' });
    kit.log.injectFailure(null);
    expect(reason(await kit.pipeline.ingest(mqtt(device.message(1), 'hr-1')))).toBe('appended');
  });

  it('close() waits for messages in flight, then refuses new ones', async () => {
    const kit = ingestKit();
    const device = await kit.enroll('hr-1');
    const inFlight = kit.pipeline.ingest(mqtt(device.message(1), 'hr-1'));
    const closing = kit.pipeline.close();
    expect(kit.pipeline.pending).toBe(1);
    await closing;
    expect(reason(await inFlight)).toBe('appended');
    await expect(kit.pipeline.ingest(mqtt(device.message(2), 'hr-1'))).rejects.toMatchObject({ code: 'E_INGEST_CLOSED' });
  });

  it('logs refusals by code, device and seq, never a reading value, the bytes or the message text', async () => {
    const chunks: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk.toString('utf8'));
          callback();
        },
      }),
    });
    const kit = ingestKit({ logger });
    const device = await kit.enroll('hr-1');
    await kit.pipeline.ingest(mqtt(device.message(1, { bpm: 7272 }), 'hr-1'));
    await kit.pipeline.ingest(mqtt(device.message(1, { bpm: 7373 }), 'hr-1'));
    // A payload whose error message quotes the value ("found the float 7474.5"): built by hand, since the
    // encoder refuses to write it.
    const schema = signCoseSign1({
      kid: 'hr-1',
      payload: encodeCbor({ v: 1, dev: 'hr-1', seq: 2, t: kit.clock.now(), type: 'heart_rate', data: { bpm: new CborFloat(7474.5) } }),
      secretKey: device.signer,
    });
    await kit.pipeline.ingest(mqtt(schema, 'hr-1'));
    const text = chunks.join('');
    expect(text).toContain('E_SEQ_CONFLICT');
    expect(text).toContain('E_PAYLOAD_SCHEMA');
    expect(kit.log.listQuarantine({ reason: 'E_PAYLOAD_SCHEMA' })[0]?.message).toContain('7474.5');
    for (const secret of ['7272', '7373', '7474', Buffer.from(schema).toString('base64').slice(0, 20), Buffer.from(schema).toString('hex').slice(0, 20)]) {
      expect(text).not.toContain(secret);
    }
  });

  // Attacker-controlled bytes: whatever arrives, the outcome is a decision, never a crash.
  it('turns arbitrary and mutated messages into decisions with typed reason codes', async () => {
    const kit = ingestKit();
    const device = await kit.enroll('hr-1');
    let seq = 1;
    await fc.assert(
      fc.asyncProperty(
        // A fresh message for each mutation, so that a mutation that leaves it valid is a new seq.
        fc.oneof(fc.uint8Array({ maxLength: 600 }), byteChanges(4).map((changes) => withByteChanges(device.message((seq += 1)), changes))),
        async (bytes) => {
          const outcome = await kit.pipeline.ingest(mqtt(bytes, 'hr-1'));
          if (outcome.status === 'quarantined') expect(outcome.reason).toMatch(/^E_[A-Z0-9_]+$/);
        },
      ),
      { numRuns: 1500 },
    );
    expect(kit.log.listQuarantine({ reason: 'E_INTERNAL_DECODE' })).toHaveLength(0);
  });
});
