/**
 * Security suite, fuzzing the MQTT uplink (issue 7; docs/SECURITY.md "Fuzzing"): an authenticated device
 * publishes arbitrary bytes, mutated valid messages and crafted attacks (another device's kid or `dev`, a
 * reused seq, a replay, oversize, CBOR tricks) on its own uplink through the real gateway's broker, one at a
 * time at QoS 1, for the fuzz budget (TG_FUZZ_SECONDS, default 4 s).
 *
 * Nothing crashes or hangs: every publish gets its PUBACK or, for an attempt to act as another device, a
 * closed connection, within 15 s. Nothing is dropped silently: every message sent is accounted for exactly,
 * as a new log entry, a quarantine record holding its bytes with a reason code, or an acknowledged
 * retransmission of a logged one; and nothing is logged or quarantined that was not sent. Every notice the
 * device receives verifies under the gateway key. Afterwards the gateway still serves well-formed traffic.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CborTag, encodeCbor, encodeDevicePayload, signCoseSign1, type CborEncodable } from '@trialgate/firmware-protocol';
import { openNotice } from '@trialgate/gateway';
import { decodeLogEntry } from '@trialgate/proof-formats';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEdits, byteEdits } from './byte-mutations.js';
import { fuzzFor, fuzzTimeoutMs } from './fuzz-budget.js';
import { publishOutcome, removeDataDir, within, startSecurityGateway, type SecurityDevice, type SecurityGateway } from './security-gateway.js';

const FUZZER = 'sec-fuzz-1';
const OTHER = 'sec-fuzz-2';
const UPLINK = `tg/v1/dev/${FUZZER}/up`;

let g: SecurityGateway;
let device: SecurityDevice;
let other: SecurityDevice;

beforeAll(async () => {
  g = await startSecurityGateway({ flags: { maxMessageBytes: '4KiB' } });
  device = await g.enroll(FUZZER);
  other = await g.enroll(OTHER);
}, 60_000);

afterAll(async () => {
  await g.stop();
  removeDataDir(g.dataDir);
});

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** What one fuzz run sends, built from a fresh seq (and earlier messages, for replays and seq reuse). */
type Case =
  | { readonly kind: 'arbitrary'; readonly bytes: Uint8Array }
  | { readonly kind: 'mutated'; readonly edits: Parameters<typeof applyEdits>[1]; readonly type: number }
  | { readonly kind: 'attack'; readonly attack: (typeof ATTACKS)[number] };

const ATTACKS = [
  'kid-of-other',
  'dev-of-other',
  'seq-reused',
  'replay',
  'oversize',
  'unknown-type',
  'huge-seq',
  'seq-zero',
  'not-cose',
  'cose-junk',
  'empty',
  'signed-by-other',
] as const;

const caseArbitrary: fc.Arbitrary<Case> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'arbitrary' as const, bytes })), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('mutated' as const), edits: byteEdits, type: fc.nat({ max: 3 }) }), weight: 5 },
  { arbitrary: fc.constantFrom(...ATTACKS).map((attack) => ({ kind: 'attack' as const, attack })), weight: 2 },
);

describe('security: fuzzing the MQTT uplink of an authenticated device', () => {
  it('never crashes or hangs, and accounts for every message sent: logged, quarantined with a reason, or a duplicate', async () => {
    const log = g.gateway.store.log;
    const sizeBefore = log.size();
    const lastQuarantineId = g.quarantine().at(-1)?.id ?? 0;
    const duplicatesBefore = (await g.gateway.metrics.messagesDuplicate.get()).values[0]?.value ?? 0;
    let seq = 0;
    const logged: Buffer[] = [];
    const sent: { bytes: Buffer; outcome: 'acked' | 'closed' }[] = [];
    const notices: Buffer[] = [];
    let client: MqttClient | null = null;
    const connected = async (): Promise<MqttClient> => {
      if (client?.connected === true) return client;
      const fresh = await within(g.connect(device), 15_000, 'connect');
      fresh.on('message', (_topic, payload) => notices.push(payload));
      await within(fresh.subscribeAsync(`tg/v1/dev/${FUZZER}/down`, { qos: 1 }), 15_000, 'subscribe');
      client = fresh;
      return fresh;
    };
    const valid = (type: number): Buffer => {
      seq += 1;
      const t = Date.now();
      switch (type) {
        case 0:
          return device.message(seq, { type: 'heart_rate', data: { bpm: 60 + (seq % 40) }, t });
        case 1:
          return device.message(seq, { type: 'body_temp', data: { celsius: 36.6 }, t });
        case 2:
          return device.message(seq, { type: 'dose_event', data: { event: 'taken', slot: 3, kit: '(01)00614141000012(10)LOT1' }, t });
        default:
          return device.message(seq, { type: 'device_status', data: { battery_pct: 80, fw: '1.2.3', note: 'fuzz' }, t });
      }
    };
    /** A payload map written as given (the encoder of device payloads would refuse these), signed by the device. */
    const signedPayload = (fields: readonly (readonly [string, CborEncodable])[]): Buffer =>
      Buffer.from(signCoseSign1({ kid: FUZZER, payload: encodeCbor(new Map(fields)), secretKey: device.secretKey }));
    const build = (c: Case): Buffer => {
      switch (c.kind) {
        case 'arbitrary':
          return Buffer.from(c.bytes);
        case 'mutated':
          return applyEdits(valid(c.type), c.edits);
        case 'attack':
          switch (c.attack) {
            case 'kid-of-other':
              seq += 1;
              return device.message(seq, { dev: OTHER }, { kid: OTHER });
            case 'dev-of-other':
              seq += 1;
              return device.message(seq, { dev: OTHER });
            case 'seq-reused':
              // A logged seq again with other content (a different t): E_SEQ_CONFLICT.
              return logged.length === 0 ? valid(0) : device.message(Math.max(1, seq - 1), { t: Date.now() + 1 });
            case 'replay':
              return logged.at(-1) ?? valid(0);
            case 'oversize':
              seq += 1;
              return device.message(seq, { type: 'device_status', data: { note: 'x'.repeat(5000) } });
            case 'unknown-type':
              seq += 1;
              return device.message(seq, { type: 'martian_rays' as 'heart_rate', data: { bpm: 1 } });
            case 'huge-seq':
              return signedPayload([['v', 1], ['dev', FUZZER], ['seq', 2n ** 64n - 1n], ['t', Date.now()], ['type', 'heart_rate'], ['data', new Map([['bpm', 70]])]]);
            case 'seq-zero':
              return signedPayload([['v', 1], ['dev', FUZZER], ['seq', 0], ['t', Date.now()], ['type', 'heart_rate'], ['data', new Map([['bpm', 70]])]]);
            case 'not-cose':
              return Buffer.from(encodeCbor({ v: 1, dev: FUZZER, seq: 9, hello: 'world' }));
            case 'cose-junk':
              return Buffer.from(encodeCbor(new CborTag(18, [new Uint8Array([0xa1, 0x01, 0x27]), new Map([[4, new Uint8Array(Buffer.from(FUZZER))]]), new Uint8Array([0xa0]), new Uint8Array(64)])));
            case 'empty':
              return Buffer.alloc(0);
            case 'signed-by-other':
              // Well formed, our kid and dev, signed with another device's key.
              return Buffer.from(
                signCoseSign1({ kid: FUZZER, payload: encodeDevicePayload({ v: 1, dev: FUZZER, seq: (seq += 1), t: Date.now(), type: 'heart_rate', data: { bpm: 70 } }), secretKey: other.secretKey }),
              );
          }
      }
    };

    const runs = await fuzzFor(
      caseArbitrary,
      async (c) => {
        const bytes = build(c);
        const sizeNow = log.size();
        let outcome: 'acked' | 'closed';
        try {
          outcome = await publishOutcome(await connected(), UPLINK, bytes);
        } catch (error) {
          throw new Error(`${JSON.stringify(c.kind === 'attack' ? c.attack : c.kind)} message of ${bytes.length} bytes (${bytes.subarray(0, 48).toString('hex')}...): ${String(error)}`, { cause: error });
        }
        sent.push({ bytes, outcome });
        if (log.size() > sizeNow) logged.push(bytes);
      },
      { minRuns: 20 },
    );
    expect(sent.length).toBe(runs);
    if (client !== null) await within((client as MqttClient).endAsync(true), 15_000, 'disconnect');

    // Every decision is durable before its PUBACK; a closed connection's quarantine record is written before
    // the close. Read what the run produced.
    const appended = Array.from({ length: log.size() - sizeBefore }, (_, i) => decodeLogEntry(log.readEntry(sizeBefore + i)));
    const records = g.quarantine(lastQuarantineId);
    const duplicates = ((await g.gateway.metrics.messagesDuplicate.get()).values[0]?.value ?? 0) - duplicatesBefore;

    // Nothing appeared that was not sent, nothing from anyone else, no connection was refused.
    const sentCount = new Map<string, number>();
    for (const { bytes } of sent) sentCount.set(sha(bytes), (sentCount.get(sha(bytes)) ?? 0) + 1);
    const remaining = new Map(sentCount);
    const take = (hash: string, what: string): void => {
      const left = remaining.get(hash) ?? 0;
      expect(left, `${what} ${hash} was sent`).toBeGreaterThan(0);
      remaining.set(hash, left - 1);
    };
    for (const entry of appended) {
      expect(entry).toMatchObject({ transport: 'mqtt', deviceId: FUZZER, contentType: 'cose-sign1' });
      take(sha(entry.original), 'logged entry');
    }
    for (const record of records) {
      expect(record.source, `record ${record.id}`).toBe(UPLINK);
      expect(record.reason).toMatch(/^E_[A-Z0-9_]+$/);
      expect(record.message.length).toBeGreaterThan(0);
      take(sha(record.original), `quarantine record ${record.id} (${record.reason})`);
    }
    // What is left was acknowledged as a retransmission of a logged message: exactly the duplicates counted.
    const loggedHashes = new Set(appended.map((e) => sha(e.original)));
    const left = [...remaining.entries()].flatMap(([hash, n]) => Array.from({ length: n }, () => hash));
    expect(left.filter((hash) => !loggedHashes.has(hash))).toEqual([]);
    expect(left.length).toBe(duplicates);
    expect(appended.length + records.length + duplicates).toBe(sent.length);
    // A closed connection only ever answered an attempt to act as another device.
    for (const { bytes, outcome } of sent.filter((s) => s.outcome === 'closed')) {
      const record = records.find((r) => Buffer.from(r.original).equals(bytes));
      expect(record?.details['impersonation'], `closed on ${outcome}: ${record?.reason}`).toBe(true);
    }
    // Notices are the gateway's, for this device.
    for (const notice of notices) {
      expect(() => openNotice(notice, { origin: g.gateway.origin, gatewayPublicKey: g.gateway.downlinkSigner.publicKey, device: FUZZER })).not.toThrow();
    }

    // The gateway still serves well-formed traffic: the fuzzed device and another one are logged.
    const after = await g.connect(device);
    expect(await publishOutcome(after, UPLINK, device.message(seq + 1000))).toBe('acked');
    const second = await g.connect(other);
    expect(await publishOutcome(second, `tg/v1/dev/${OTHER}/up`, other.message(1))).toBe('acked');
    expect(log.size()).toBe(sizeBefore + appended.length + 2);
    expect((await fetch(`${g.httpUrl}/healthz`)).status).toBe(200);
    const reasons: Record<string, number> = {};
    for (const record of records) reasons[record.reason] = (reasons[record.reason] ?? 0) + 1;
    console.info(`MQTT fuzz: ${sent.length} messages, ${appended.length} logged, ${records.length} quarantined, ${duplicates} duplicates; reasons ${JSON.stringify(reasons)}`);
  }, fuzzTimeoutMs(60_000));
});
