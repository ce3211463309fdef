/**
 * An independent maker of proof bundles (spec sections 2, 4, 5, 8), written from FORMATS.md and the RFC and
 * C2SP texts with node:crypto and a hand-written CBOR writer only. It imports no Trialgate package on purpose:
 * `trialgate verify` is accepted against bundles it did not make itself.
 */
import { createHash } from 'node:crypto';
import { CborTagged, cbor, cborMap, type Cbor } from './cbor.js';
import { keyPairFromLabel, type KeyPair } from './ed25519.js';
import { consistency, mth, path } from './merkle.js';
import { checkpointBody, signNote, verifierKey } from './signed-note.js';

export const ORIGIN = 'acceptance.example/site-7/gw-2';
export const GATEWAY_KEY: KeyPair = keyPairFromLabel('gateway');

export interface IndependentDevice {
  readonly id: string;
  readonly kind: string;
  readonly transport: 'mqtt' | 'serial';
  readonly key: KeyPair;
}

export const DEVICES: readonly IndependentDevice[] = [
  { id: 'WATCH-11', kind: 'wearable', transport: 'mqtt', key: keyPairFromLabel('WATCH-11') },
  { id: 'WATCH-12', kind: 'wearable', transport: 'mqtt', key: keyPairFromLabel('WATCH-12') },
  { id: 'PUMP.07', kind: 'dispenser', transport: 'serial', key: keyPairFromLabel('PUMP.07') },
];

const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/** Section 2: COSE_Sign1 = #6.18([bstr .cbor {1: -8}, {4: bstr kid}, bstr payload, bstr(64)]). */
export function deviceMessage(device: IndependentDevice, seq: number, data: { type: string; fields: (readonly [string, Cbor])[] }): Uint8Array {
  const protectedBytes = cbor(cborMap([1, -8]));
  const payload = cbor(
    cborMap(['v', 1], ['dev', device.id], ['seq', seq], ['t', T0 + seq * 60_000], ['type', data.type], ['data', cborMap(...data.fields)]),
  );
  const sigStructure = cbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
  const signature = device.key.sign(sigStructure);
  return cbor(new CborTagged(18, [protectedBytes, cborMap([4, Buffer.from(device.id, 'utf8')]), payload, signature]));
}

/** Section 4: [1, receivedAtMs, transport, deviceId, contentType, original]. */
export function logEntry(receivedAtMs: number, transport: string, deviceId: string, contentType: string, original: Uint8Array): Uint8Array {
  return cbor([1, receivedAtMs, transport, deviceId, contentType, original]);
}

export interface IndependentLog {
  readonly entries: readonly Uint8Array[];
}

/**
 * A log of 13 entries: three registry enrolments, signed readings from two watches (heart rate) and a pill
 * dispenser (dose events, over serial), one standard BLE blood-pressure value and one gateway record.
 * With `repeatSeq`, WATCH-11 seq 3 is logged a second time with other content.
 */
export function makeLog(options: { repeatSeq?: boolean } = {}): IndependentLog {
  const [w11, w12, pump] = DEVICES as [IndependentDevice, IndependentDevice, IndependentDevice];
  const entries: Uint8Array[] = [];
  for (const device of DEVICES) {
    const change = cborMap(['v', 1], ['op', 'enroll'], ['dev', device.id], ['kind', device.kind], ['public_key', device.key.publicKey], ['transports', [device.transport]]);
    entries.push(logEntry(T0, 'admin', device.id, 'registry', cbor(change)));
  }
  const hr = (bpm: number) => ({ type: 'heart_rate', fields: [['bpm', bpm] as const] });
  let t = T0 + 1_000;
  const reading = (device: IndependentDevice, seq: number, data: { type: string; fields: (readonly [string, Cbor])[] }) => {
    t += 61_000;
    entries.push(logEntry(t, device.transport, device.id, 'cose-sign1', deviceMessage(device, seq, data)));
  };
  reading(w11, 1, hr(64));
  reading(w12, 1, hr(71));
  reading(w11, 2, hr(66));
  reading(pump, 1, { type: 'dose_event', fields: [['event', 'taken'], ['slot', 3]] });
  reading(w11, 3, hr(69));
  entries.push(logEntry((t += 5_000), 'ble', 'CUFF-3', 'gatt:2a35', Uint8Array.from([0x00, 0x79, 0x00, 0x50, 0x00, 0x5d, 0x00])));
  reading(w12, 2, hr(73));
  reading(pump, 2, { type: 'dose_event', fields: [['event', 'compartment_opened'], ['slot', 4]] });
  entries.push(logEntry((t += 5_000), 'admin', 'PUMP.07', 'gateway', cbor(cborMap(['v', 1], ['event', 'reminder_sent'], ['slot', 4]))));
  reading(w11, 4, hr(70));
  if (options.repeatSeq === true) reading(w11, 3, hr(140));
  return { entries };
}

export interface AnchorRecord {
  readonly chain_id: number;
  readonly tx_hash: string;
  readonly block_number: number;
  readonly from: string;
}

export interface BundleJson {
  format: string;
  origin: string;
  gateway_key: string;
  devices: { id: string; public_key: string; kind: string }[];
  checkpoints: { note: string; anchors: AnchorRecord[] }[];
  consistency: { from_size: number; to_size: number; proof: string[] }[];
  entries: { index: number; entry: string; checkpoint: number; proof: string[] }[];
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

export function checkpointNote(log: IndependentLog, size: number, signer: KeyPair = GATEWAY_KEY, name = ORIGIN): string {
  return signNote(checkpointBody(ORIGIN, size, mth(log.entries.slice(0, size))), [{ name, key: signer }]);
}

/** SHA-256 of the checkpoint body (section 6), as hex. */
export function checkpointDigestHex(note: string): string {
  const body = note.slice(0, note.lastIndexOf('\n\n') + 1);
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/**
 * A bundle over the whole log with checkpoints at `sizes` (the last must be the log's size); each entry is
 * proven against the first checkpoint that covers it, or against the last one with `provenAgainstLast`.
 */
export function makeBundle(
  log: IndependentLog,
  options: { sizes?: readonly number[]; anchors?: (position: number, note: string) => AnchorRecord[]; provenAgainstLast?: boolean } = {},
): BundleJson {
  const sizes = options.sizes ?? [5, 8, log.entries.length];
  const notes = sizes.map((size) => checkpointNote(log, size));
  return {
    format: 'tg-proof-bundle/1',
    origin: ORIGIN,
    gateway_key: verifierKey(ORIGIN, GATEWAY_KEY.publicKey),
    devices: DEVICES.map((d) => ({ id: d.id, public_key: b64(d.key.publicKey), kind: d.kind })),
    checkpoints: notes.map((note, position) => ({ note, anchors: options.anchors?.(position, note) ?? [] })),
    consistency: sizes.slice(1).map((to, i) => {
      const from = sizes[i] ?? 0;
      return { from_size: from, to_size: to, proof: consistency(from, log.entries.slice(0, to)).map(b64) };
    }),
    entries: log.entries.map((entry, index) => {
      const checkpoint = options.provenAgainstLast === true ? sizes.length - 1 : sizes.findIndex((size) => size > index);
      const size = sizes[checkpoint] ?? 0;
      return { index, entry: b64(entry), checkpoint, proof: path(index, log.entries.slice(0, size)).map(b64) };
    }),
  };
}

function flip(base64: string, at: number): string {
  const bytes = Buffer.from(base64, 'base64');
  const i = ((at % bytes.length) + bytes.length) % bytes.length;
  bytes[i] = (bytes[i] ?? 0) ^ 0x20;
  return bytes.toString('base64');
}

export interface AcceptanceCase {
  readonly name: string;
  /** The file's text. */
  readonly text: string;
  readonly exitCode: 0 | 1 | 2 | 3;
  /** What the text output must contain (the summary line, or the failure naming the entry/checkpoint). */
  readonly expect: RegExp;
  readonly extraArgs?: readonly string[];
}

/** The valid bundle and each tampering of the done-when list of issue 2, with the verdict they must get. */
export function acceptanceCases(): AcceptanceCase[] {
  const log = makeLog();
  const valid = makeBundle(log);
  const json = (b: BundleJson): string => `${JSON.stringify(b, null, 2)}\n`;
  const copy = (): BundleJson => JSON.parse(JSON.stringify(valid)) as BundleJson;
  const cases: AcceptanceCase[] = [];
  const add = (name: string, b: BundleJson | string, exitCode: 0 | 1 | 2 | 3, expect: RegExp, extraArgs?: readonly string[]): void => {
    cases.push({ name, text: typeof b === 'string' ? b : json(b), exitCode, expect, ...(extraArgs === undefined ? {} : { extraArgs }) });
  };

  add('valid', valid, 0, /^13 entries from 4 devices verified against 3 checkpoints; gateway key not pinned; no anchors$/m);
  add('valid, every entry proven against the last checkpoint', makeBundle(log, { provenAgainstLast: true }), 0, /^13 entries from 4 devices verified against 3 checkpoints/m);
  add('valid, gateway key pinned', valid, 0, /^13 entries from 4 devices verified against 3 checkpoints; no anchors$/m, ['--gateway-key', valid.gateway_key]);
  add('valid, a selection of entries with a seq gap', { ...copy(), entries: copy().entries.filter((e) => e.index !== 5) }, 0, /device WATCH-11: 1 missing between seq 1 and 3/);

  let b = copy();
  (b.entries[4] as BundleJson['entries'][number]).entry = flip(b.entries[4]?.entry ?? '', -20);
  add('flipped entry byte', b, 1, /FAIL entry 4 \(log index 4, device WATCH-12\): inclusion in checkpoint 0 .*\[E_INCLUSION_PROOF\]/);

  b = copy();
  (b.entries[9] as BundleJson['entries'][number]).proof[1] = b.entries[2]?.proof[0] ?? '';
  add('changed proof', b, 1, /FAIL entry 9 \(log index 9, device WATCH-12\): .*\[E_INCLUSION_PROOF\]/);

  b = copy();
  (b.entries[10] as BundleJson['entries'][number]).proof.pop();
  add('truncated proof', b, 1, /FAIL entry 10 \(log index 10, device PUMP\.07\): .*\[E_INCLUSION_PROOF\]/);

  b = copy();
  (b.entries[6] as BundleJson['entries'][number]).index = 7;
  add('moved index', b, 1, /FAIL entry 6 \(log index 7, device PUMP\.07\): .*\[E_INCLUSION_PROOF\]/);

  b = copy();
  {
    const cp = b.checkpoints[1] as BundleJson['checkpoints'][number];
    const at = cp.note.lastIndexOf(' ');
    cp.note = `${cp.note.slice(0, at + 1)}${flip(cp.note.slice(at + 1, -1), 30)}\n`;
  }
  add('corrupted checkpoint signature', b, 1, /FAIL checkpoint 1: .*\[E_NOTE_SIGNATURE\]/);

  b = copy();
  (b.checkpoints[2] as BundleJson['checkpoints'][number]).note = checkpointNote(log, log.entries.length, keyPairFromLabel('impostor'));
  add('checkpoint re-signed by an unknown key', b, 1, /FAIL checkpoint 2: not signed by the gateway key .*\[E_NOTE_UNVERIFIED\]/);

  b = copy();
  (b.consistency[0] as BundleJson['consistency'][number]).proof[0] = flip(b.consistency[0]?.proof[0] ?? '', 7);
  add('broken consistency proof', b, 1, /FAIL consistency between checkpoints 0 and 1: .*\[E_CONSISTENCY_PROOF\]/);

  b = copy();
  (b.devices[1] as BundleJson['devices'][number]).public_key = b.devices[0]?.public_key ?? '';
  add('swapped device key', b, 1, /FAIL entry 4 \(log index 4, device WATCH-12\): the signature does not verify .*\[E_COSE_SIGNATURE\]/);

  const repeated = makeBundle(makeLog({ repeatSeq: true }));
  add('repeated seq with other content', repeated, 1, /FAIL entry 13 \(log index 13, device WATCH-11\): device WATCH-11 seq 3 was already logged at log index 7 .*\[E_SEQ_REPEATED\]/);

  add('unknown format version', { ...copy(), format: 'tg-proof-bundle/2' }, 2, /^UNUSABLE: unsupported bundle format "tg-proof-bundle\/2"/m);
  add('not JSON', 'this is not a bundle {\n', 2, /^UNUSABLE: not a proof bundle: the file is not JSON \[E_BUNDLE_NOT_JSON\]/m);

  // A whole bundle forged under another gateway key passes on its own terms, and fails once the key is pinned.
  const forgedKey = keyPairFromLabel('forger');
  const forged = copy();
  forged.gateway_key = verifierKey(ORIGIN, forgedKey.publicKey);
  forged.checkpoints = forged.checkpoints.map((c, i) => ({ ...c, note: checkpointNote(log, [5, 8, log.entries.length][i] ?? 0, forgedKey) }));
  add('bundle re-signed under another gateway key, key pinned', forged, 1, /FAIL bundle: the bundle names gateway key .*\[E_GATEWAY_KEY_MISMATCH\]/, ['--gateway-key', valid.gateway_key]);
  return cases;
}
