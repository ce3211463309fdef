/**
 * Security suite, fuzzing the serial line (issue 7; docs/SECURITY.md "Fuzzing"): the real gateway reads a
 * real pseudo-terminal pair made by socat (`--serial`, the serialport package), and the test writes on the
 * device's end, for the fuzz budget (TG_FUZZ_SECONDS, default 4 s): arbitrary bytes, valid frames, frames with
 * mutated bytes (broken COBS or CRC), frames with a good CRC around mutated messages, runs longer than any
 * frame, noise between frames, in chunks of any size.
 *
 * Nothing crashes or hangs, and nothing is dropped silently: a reference parser over the same bytes says how
 * many frames the line carried; every broken one is in quarantine with its reason (one record each, or
 * counted in an E_SERIAL_FRAMES_SUPPRESSED summary beyond 50 a second), every good one is logged, quarantined
 * with the bytes received, or acknowledged as a duplicate, and the gateway's acks say the same. Afterwards the
 * line still carries a valid message through to the log.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { encodeSerialFrame, SerialFrameParser, type SerialFrameResult } from '@trialgate/firmware-protocol';
import { openAck } from '@trialgate/gateway';
import { decodeLogEntry } from '@trialgate/proof-formats';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocatPtyPair } from '../transports/socat-pty-pair.js';
import { applyEdits, byteEdits } from './byte-mutations.js';
import { fuzzFor, fuzzTimeoutMs } from './fuzz-budget.js';
import { removeDataDir, startSecurityGateway, until, type SecurityDevice, type SecurityGateway } from './security-gateway.js';

const hasSocat = ((): boolean => {
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const DEVICE = 'sec-disp-1';
const MAX_MESSAGE_BYTES = 2048;
/** Reasons the frame layer gives (firmware-protocol SerialFrameParser); anything else came from the pipeline. */
const FRAME_REASONS = new Set(['E_COBS', 'E_FRAME_CRC', 'E_FRAME_TOO_SHORT', 'E_FRAME_TOO_LARGE', 'E_FRAME_INCOMPLETE']);

let dir: string;
let pair: SocatPtyPair;
let g: SecurityGateway;
let device: SecurityDevice;
let port: SerialPort;
const fromGateway: Buffer[] = [];

beforeAll(async () => {
  if (!hasSocat) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'tg-sec-pty-'));
  pair = new SocatPtyPair(dir);
  await pair.start();
  g = await startSecurityGateway({ flags: { serial: `${pair.gatewayEnd}:115200`, maxMessageBytes: String(MAX_MESSAGE_BYTES) } });
  device = await g.enroll(DEVICE, { kind: 'pill_dispenser', transports: ['serial'] });
  port = new SerialPort({ path: pair.deviceEnd, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error === null || error === undefined ? resolve() : reject(error))));
  // The gateway's acks must be read, or the pty fills and the gateway's writes wait.
  port.on('data', (chunk: Buffer) => fromGateway.push(chunk));
  await until(() => g.gateway.devices.serial?.links[0]?.isOpen === true, 'the gateway\'s serial line open');
}, 60_000);

afterAll(async () => {
  if (!hasSocat) return;
  await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
  await g.stop();
  await pair.kill();
  removeDataDir(g.dataDir);
  removeDataDir(dir);
});

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function write(bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(Buffer.from(bytes), (error) => {
      if (error !== null && error !== undefined) reject(error);
      else port.drain((drainError) => (drainError === null || drainError === undefined ? resolve() : reject(drainError)));
    });
  });
}

/** Frames in a byte stream, as the gateway's parser sees them (same options). */
function referenceFrames(stream: Uint8Array): SerialFrameResult[] {
  const parser = new SerialFrameParser({ maxPayloadBytes: MAX_MESSAGE_BYTES });
  const out: SerialFrameResult[] = [];
  parser.on('data', (result: SerialFrameResult) => out.push(result));
  parser.write(Buffer.from(stream));
  return out;
}

type Piece =
  | { readonly kind: 'noise'; readonly bytes: Uint8Array }
  | { readonly kind: 'frame' }
  | { readonly kind: 'broken-frame'; readonly edits: Parameters<typeof applyEdits>[1] }
  | { readonly kind: 'broken-message'; readonly edits: Parameters<typeof applyEdits>[1] }
  | { readonly kind: 'endless'; readonly length: number }
  | { readonly kind: 'replay' };

const piece: fc.Arbitrary<Piece> = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ kind: 'noise' as const, bytes })), weight: 3 },
  { arbitrary: fc.constant({ kind: 'frame' as const }), weight: 2 },
  { arbitrary: byteEdits.map((edits) => ({ kind: 'broken-frame' as const, edits })), weight: 3 },
  { arbitrary: byteEdits.map((edits) => ({ kind: 'broken-message' as const, edits })), weight: 3 },
  { arbitrary: fc.integer({ min: 2 * MAX_MESSAGE_BYTES, max: 3 * MAX_MESSAGE_BYTES }).map((length) => ({ kind: 'endless' as const, length })), weight: 1 },
  { arbitrary: fc.constant({ kind: 'replay' as const }), weight: 1 },
);

describe.skipIf(!hasSocat)('security: fuzzing a serial line (real pseudo-terminal pair)', () => {
  it('never crashes or hangs, and accounts for every frame: quarantined with its reason, logged, or a duplicate', async () => {
    const log = g.gateway.store.log;
    const sizeBefore = log.size();
    const lastQuarantineId = g.quarantine().at(-1)?.id ?? 0;
    const duplicatesBefore = (await g.gateway.metrics.messagesDuplicate.get()).values[0]?.value ?? 0;
    const written: Buffer[] = [];
    let seq = 0;
    let lastValid: Buffer | null = null;
    const message = (): Buffer => {
      seq += 1;
      lastValid = device.message(seq, { type: 'dose_event', data: { event: 'compartment_opened', slot: (seq % 14) + 1 } });
      return lastValid;
    };
    const bytesOf = (p: Piece): Buffer => {
      switch (p.kind) {
        case 'noise':
          return Buffer.from(p.bytes);
        case 'frame':
          return Buffer.from(encodeSerialFrame(message()));
        case 'broken-frame':
          return applyEdits(encodeSerialFrame(message()), p.edits);
        case 'broken-message':
          return Buffer.from(encodeSerialFrame(applyEdits(message(), p.edits)));
        case 'endless':
          return Buffer.alloc(p.length, 0x41);
        case 'replay':
          return Buffer.from(encodeSerialFrame(lastValid ?? message()));
      }
    };

    await fuzzFor(
      fc.tuple(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 512 })),
      async ([pieces, chunk]) => {
        const bytes = Buffer.concat(pieces.map(bytesOf));
        written.push(bytes);
        for (let at = 0; at < bytes.length; at += chunk) await write(bytes.subarray(at, at + chunk));
      },
      { minRuns: 10 },
    );
    // A final delimiter ends whatever frame the last piece left open.
    const end = Buffer.from([0]);
    written.push(end);
    await write(end);

    const frames = referenceFrames(Buffer.concat(written));
    const broken = frames.filter((f): f is Extract<SerialFrameResult, { ok: false }> => !f.ok);
    const good = frames.filter((f): f is Extract<SerialFrameResult, { ok: true }> => f.ok);
    const duplicates = async (): Promise<number> => ((await g.gateway.metrics.messagesDuplicate.get()).values[0]?.value ?? 0) - duplicatesBefore;
    const units = async (): Promise<number> => {
      let n = (log.size() - sizeBefore) + (await duplicates());
      for (const record of g.quarantine(lastQuarantineId)) {
        n += record.reason === 'E_SERIAL_FRAMES_SUPPRESSED' ? Number(record.details['count']) : 1;
      }
      return n;
    };
    // Decisions and the per-second summary of suppressed frames take a moment after the last byte.
    const deadline = Date.now() + 30_000;
    let counted = await units();
    while (counted < frames.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      counted = await units();
    }
    // Settled: nothing more arrives (a surplus would show here too).
    await new Promise((resolve) => setTimeout(resolve, 300));
    counted = await units();

    const records = g.quarantine(lastQuarantineId);
    expect(records.every((r) => r.transport === 'serial' && r.source === `serial:${pair.gatewayEnd}`)).toBe(true);
    // Broken frames: each reason as often as the line carried it, one record each or counted in a summary.
    const expectedReasons: Record<string, number> = {};
    for (const f of broken) expectedReasons[f.error.code] = (expectedReasons[f.error.code] ?? 0) + 1;
    const recordedReasons: Record<string, number> = {};
    for (const r of records) {
      if (r.reason === 'E_SERIAL_FRAMES_SUPPRESSED') {
        for (const [reason, n] of Object.entries(r.details['byReason'] as Record<string, number>)) recordedReasons[reason] = (recordedReasons[reason] ?? 0) + n;
      } else if (FRAME_REASONS.has(r.reason)) {
        recordedReasons[r.reason] = (recordedReasons[r.reason] ?? 0) + 1;
      }
    }
    expect(recordedReasons).toEqual(expectedReasons);
    // A frame recorded on its own keeps its bytes as received.
    const brokenRaw = new Set(broken.map((f) => sha(f.raw ?? new Uint8Array())));
    for (const r of records.filter((x) => FRAME_REASONS.has(x.reason))) expect(brokenRaw.has(sha(r.original)), `record ${r.id}`).toBe(true);

    // Good frames: logged, quarantined by the pipeline with their bytes, or acknowledged duplicates.
    const appended = Array.from({ length: log.size() - sizeBefore }, (_, i) => decodeLogEntry(log.readEntry(sizeBefore + i)));
    const remaining = new Map<string, number>();
    for (const f of good) remaining.set(sha(f.payload), (remaining.get(sha(f.payload)) ?? 0) + 1);
    const take = (hash: string, what: string): void => {
      expect(remaining.get(hash) ?? 0, `${what} was sent in a good frame`).toBeGreaterThan(0);
      remaining.set(hash, (remaining.get(hash) ?? 0) - 1);
    };
    for (const entry of appended) {
      expect(entry).toMatchObject({ transport: 'serial', deviceId: DEVICE, contentType: 'cose-sign1' });
      take(sha(entry.original), 'a logged entry');
    }
    const pipelineRecords = records.filter((r) => !FRAME_REASONS.has(r.reason) && r.reason !== 'E_SERIAL_FRAMES_SUPPRESSED');
    for (const r of pipelineRecords) {
      expect(r.reason).toMatch(/^E_[A-Z0-9_]+$/);
      take(sha(r.original), `quarantine record ${r.id} (${r.reason})`);
    }
    const loggedHashes = new Set(appended.map((e) => sha(e.original)));
    const left = [...remaining.entries()].flatMap(([hash, n]) => Array.from({ length: n }, () => hash));
    expect(left.filter((hash) => !loggedHashes.has(hash))).toEqual([]);
    expect(left.length).toBe(await duplicates());
    expect(counted, `decisions for ${frames.length} frames (${broken.length} broken)`).toBe(frames.length);

    // The acks the device received agree: one "logged" ack per appended entry.
    await until(() => ackDispositions().logged === appended.length, 'the acks of logged messages', 10_000);

    // The line still carries a valid message through to the log.
    const fresh = device.message(seq + 1000);
    await write(Buffer.concat([Buffer.from([0]), encodeSerialFrame(fresh)]));
    await until(() => log.size() === sizeBefore + appended.length + 1, 'a valid frame logged after the fuzzing');
    expect(Buffer.from(decodeLogEntry(log.readEntry(log.size() - 1)).original).equals(fresh)).toBe(true);
    console.info(`serial fuzz: ${Buffer.concat(written).length} bytes, ${frames.length} frames (${broken.length} broken), ${appended.length} logged, ${pipelineRecords.length} refused by the pipeline, ${records.length} quarantine records`);
  }, fuzzTimeoutMs(90_000));
});

/** The gateway's acks to the device so far, by disposition (acks for other kids are not the device's). */
function ackDispositions(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const frame of referenceFrames(Buffer.concat(fromGateway))) {
    if (!frame.ok) continue;
    try {
      const ack = openAck(frame.payload, { origin: g.gateway.origin, gatewayPublicKey: g.gateway.downlinkSigner.publicKey, device: DEVICE });
      out[ack.disposition] = (out[ack.disposition] ?? 0) + 1;
    } catch {
      // An ack addressed to the device a mutated kid named.
    }
  }
  return out;
}
