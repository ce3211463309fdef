import { ed25519PublicKey } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import type { AnchorCheck, AnchorVerifier } from '../anchor/anchor-verifier.js';
import { checkpointDigest } from '../checkpoint/checkpoint-digest.js';
import { signCheckpoint } from '../checkpoint/signed-checkpoint.js';
import { parseCheckpointBody } from '../checkpoint/checkpoint-body.js';
import { encodeBase64 } from '../encoding/canonical-base64.js';
import { createNoteSigner } from '../note/note-signer.js';
import { splitNote } from '../note/signed-note.js';
import { makeSampleBundle } from '../testing/sample-bundle.js';
import { parseBundle, serializeBundle } from './parse-bundle.js';
import type { ProofBundle } from './proof-bundle.js';
import { verifyBundle, verifyBundleText } from './verify-bundle.js';

const sample = makeSampleBundle();
const valid = sample.bundle;

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? Mutable<U>[] : T[K] extends object ? Mutable<T[K]> : T[K] };
function copy(bundle: ProofBundle = valid): Mutable<ProofBundle> {
  return JSON.parse(JSON.stringify(bundle)) as Mutable<ProofBundle>;
}

function flipBase64Byte(text: string, at: number): string {
  const bytes = Buffer.from(text, 'base64');
  bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

function codes(report: { failures: readonly { code: string }[] }): string[] {
  return report.failures.map((f) => f.code);
}

function fixedAnchors(answer: (txHash: string) => AnchorCheck): AnchorVerifier {
  return { describe: () => Promise.resolve('chain 31337 through a test double'), checkAnchor: (claim) => Promise.resolve(answer(claim.txHash)) };
}

const anchorFor = (position: number) => ({
  chainId: 31337,
  txHash: `0x${String(position + 1).padStart(64, '0')}` as `0x${string}`,
  blockNumber: 10 + position,
  from: `0x${'ab'.repeat(20)}` as `0x${string}`,
});

describe('verifyBundle: valid bundles', () => {
  it('verifies a valid bundle: exit 0, a summary, and the checks not run', async () => {
    const report = await verifyBundle(valid);
    expect(report.verdict).toBe('valid');
    expect(report.exitCode).toBe(0);
    expect(report.failures).toEqual([]);
    expect(report.summary).toMatch(/^10 entries from 3 devices verified against 2 checkpoints; gateway key not pinned; no anchors$/);
    expect(report.counts).toMatchObject({ signedEntries: 6, attestedEntries: 1, registryEntries: 2, gatewayEntries: 1, consistencyProofsVerified: 1 });
  });

  it('with a pinned gateway key, does not report the key as unpinned; a different pinned key fails', async () => {
    const pinned = await verifyBundle(valid, { trustedGatewayKey: sample.gatewaySigner.verifierKey });
    expect(pinned.verdict).toBe('valid');
    expect(pinned.notChecked.join()).not.toMatch(/not pinned/);
    const other = createNoteSigner(valid.origin, new Uint8Array(32).fill(9));
    const wrong = await verifyBundle(valid, { trustedGatewayKey: other.verifierKey });
    expect(wrong.verdict).toBe('invalid');
    expect(codes(wrong)).toContain('E_GATEWAY_KEY_MISMATCH');
  });

  it('reports seq gaps without failing (a bundle may hold a selection)', async () => {
    const b = copy();
    b.entries = b.entries.filter((e) => e.index !== 4); // WR-0001 seq 2 (registry 0-1, then WR-0001 seq 1 at 2, WR-0002 seq 1 at 3, WR-0001 seq 2 at 4)
    const report = await verifyBundle(b);
    expect(report.verdict).toBe('valid');
    expect(report.seqGaps).toEqual([{ deviceId: 'WR-0001', afterSeq: 1, beforeSeq: 3, missing: 1 }]);
  });

  it('accepts a device listed twice (key rotation): entries verify under either key', async () => {
    const newKey = new Uint8Array(32).fill(42);
    const rotated = makeSampleBundle({ extraReadings: [{ device: 0, seq: 4, bpm: 70, secretKey: newKey }] });
    const b = copy(rotated.bundle);
    const before = await verifyBundle(b);
    expect(codes(before)).toEqual(['E_COSE_SIGNATURE']);
    b.devices.push({ id: 'WR-0001', public_key: encodeBase64(ed25519PublicKey(newKey)), kind: 'wearable' });
    const after = await verifyBundle(b);
    expect(after.verdict).toBe('valid');
    expect(after.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['W_DEVICE_KEY_ROTATION', 'W_DEVICE_KEY_NOT_IN_REGISTRY']));
  });

  it('ignores signatures by unknown keys on a checkpoint (witness cosignature)', async () => {
    const b = copy();
    const witness = createNoteSigner('witness.example/w1', new Uint8Array(32).fill(5));
    const first = b.checkpoints[0];
    if (first === undefined) throw new Error('no checkpoint');
    const signature = witness.sign(new TextEncoder().encode(splitNote(first.note).text));
    first.note += `— witness.example/w1 ${encodeBase64(Uint8Array.of(...[witness.keyId >>> 24, (witness.keyId >>> 16) & 255, (witness.keyId >>> 8) & 255, witness.keyId & 255], ...signature))}\n`;
    const report = await verifyBundle(b);
    expect(report.verdict).toBe('valid');
    expect(report.checkpoints[0]?.otherSigners).toEqual([`witness.example/w1+${witness.keyId.toString(16).padStart(8, '0')}`]);
  });

  it('warns about fields it ignored', async () => {
    const text = JSON.stringify({ ...valid, extension: 1 });
    const report = await verifyBundleText(text);
    expect(report.verdict).toBe('valid');
    expect(report.warnings.map((w) => w.message).join()).toMatch(/\$\.extension/);
  });
});

describe('verifyBundle: tampering is reported by entry or checkpoint', () => {
  it('a flipped entry byte fails that entry\'s inclusion', async () => {
    const b = copy();
    const e = b.entries[5];
    if (e === undefined) throw new Error('no entry');
    e.entry = flipBase64Byte(e.entry, 30);
    const report = await verifyBundle(b);
    expect(report.exitCode).toBe(1);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]?.where).toMatch(/^entry 5 \(log index 5/);
    expect(report.failures[0]?.code).toBe('E_INCLUSION_PROOF');
  });

  it('a changed, a truncated and an extended proof fail', async () => {
    for (const mutate of [
      (p: string[]) => [flipBase64Byte(p[0] ?? '', 3), ...p.slice(1)],
      (p: string[]) => p.slice(0, -1),
      (p: string[]) => [...p, p[0] ?? ''],
    ]) {
      const b = copy();
      const e = b.entries[2];
      if (e === undefined) throw new Error('no entry');
      e.proof = mutate(e.proof);
      const report = await verifyBundle(b);
      expect(codes(report)).toEqual(['E_INCLUSION_PROOF']);
    }
  });

  it('a moved index fails', async () => {
    const b = copy();
    const e = b.entries[3];
    if (e === undefined) throw new Error('no entry');
    e.index = 4;
    expect(codes(await verifyBundle(b))).toContain('E_INCLUSION_PROOF');
  });

  it('a corrupted checkpoint signature fails the checkpoint and counts its entries unproven', async () => {
    const b = copy();
    const c = b.checkpoints[0];
    if (c === undefined) throw new Error('no checkpoint');
    const [text, sigs] = c.note.split('\n\n') as [string, string];
    const line = sigs.trimEnd();
    const space = line.lastIndexOf(' ');
    c.note = `${text}\n\n${line.slice(0, space + 1)}${flipBase64Byte(line.slice(space + 1), 20)}\n`;
    const report = await verifyBundle(b);
    expect(report.verdict).toBe('invalid');
    expect(report.failures.map((f) => [f.where, f.code])).toEqual([
      ['checkpoint 0', 'E_NOTE_SIGNATURE'],
      ['checkpoint 0', 'E_ENTRIES_UNPROVEN'],
    ]);
  });

  it('a checkpoint re-signed by an unknown key fails as not signed by the gateway', async () => {
    const b = copy();
    const c = b.checkpoints[1];
    if (c === undefined) throw new Error('no checkpoint');
    const impostor = createNoteSigner(valid.origin, new Uint8Array(32).fill(66));
    c.note = signCheckpoint(parseCheckpointBody(splitNote(c.note).text), [impostor]);
    const report = await verifyBundle(b);
    expect(report.failures[0]?.code).toBe('E_NOTE_UNVERIFIED');
    expect(report.failures[0]?.where).toBe('checkpoint 1');
  });

  it('a broken or missing consistency proof fails', async () => {
    const broken = copy();
    const c = broken.consistency[0];
    if (c === undefined) throw new Error('no consistency proof');
    c.proof = [flipBase64Byte(c.proof[0] ?? '', 1), ...c.proof.slice(1)];
    expect(codes(await verifyBundle(broken))).toEqual(['E_CONSISTENCY_PROOF']);
    const missing = copy();
    missing.consistency = [];
    const report = await verifyBundle(missing);
    expect(codes(report)).toEqual(['E_CONSISTENCY_MISSING']);
    expect(report.failures[0]?.where).toBe('consistency between checkpoints 0 and 1');
  });

  it('checkpoints out of size order fail', async () => {
    const b = copy();
    b.checkpoints.reverse();
    b.entries = [];
    expect(codes(await verifyBundle(b))).toContain('E_CHECKPOINT_ORDER');
  });

  it('a swapped device key fails every signed entry of that device', async () => {
    const b = copy();
    const d = b.devices[1];
    if (d === undefined) throw new Error('no device');
    d.public_key = encodeBase64(ed25519PublicKey(new Uint8Array(32).fill(77)));
    const report = await verifyBundle(b);
    expect(codes(report)).toEqual(['E_COSE_SIGNATURE', 'E_COSE_SIGNATURE', 'E_COSE_SIGNATURE']);
    expect(report.failures.every((f) => f.where.includes('device WR-0002'))).toBe(true);
    expect(report.warnings.map((w) => w.code)).toContain('W_DEVICE_KEY_NOT_IN_REGISTRY');
  });

  it('a repeated seq with other content fails, naming both entries', async () => {
    const repeated = makeSampleBundle({ extraReadings: [{ device: 1, seq: 2, bpm: 120 }] });
    const report = await verifyBundle(repeated.bundle);
    expect(codes(report)).toEqual(['E_SEQ_REPEATED']);
    expect(report.failures[0]?.message).toMatch(/WR-0002 seq 2 was already logged at log index 5/);
  });

  it('an entry pointing at a missing checkpoint, and a signed entry of an unlisted device, fail', async () => {
    const b = copy();
    const e = b.entries[0];
    if (e === undefined) throw new Error('no entry');
    e.checkpoint = 7;
    b.devices = b.devices.filter((d) => d.id !== 'WR-0002');
    const report = await verifyBundle(b);
    expect(codes(report)).toEqual(expect.arrayContaining(['E_ENTRY_CHECKPOINT', 'E_DEVICE_UNKNOWN']));
  });

  it('a checkpoint of another origin fails', async () => {
    const b = copy();
    b.origin = 'other.example/log';
    expect(codes(await verifyBundle(b))).toContain('E_CHECKPOINT_ORIGIN');
  });
});

describe('verifyBundle: anchors through the AnchorVerifier port', () => {
  const anchored = makeSampleBundle({ anchors: (position) => [anchorFor(position)] });

  it('reports anchors as not checked without a verifier, with the reason given', async () => {
    const report = await verifyBundle(anchored.bundle, { anchorsNotCheckedReason: 'no --rpc given' });
    expect(report.verdict).toBe('valid');
    expect(report.summary).toMatch(/anchors not checked: no --rpc given/);
  });

  it('passes each checkpoint digest to the verifier; all final = valid', async () => {
    const seen: string[] = [];
    const verifier: AnchorVerifier = {
      describe: () => Promise.resolve('chain 31337 through a test double'),
      checkAnchor: (claim, digest) => {
        seen.push(`${claim.txHash.slice(-1)}:${Buffer.from(digest).toString('hex')}`);
        return Promise.resolve({ status: 'verified', blockHash: `0x${'00'.repeat(32)}`, blockTimestampMs: 1_790_000_000_000, finality: 'finalized-tag', confirmations: 70 });
      },
    };
    const report = await verifyBundle(anchored.bundle, { anchorVerifier: verifier });
    expect(report.verdict).toBe('valid');
    expect(report.summary).toMatch(/2 anchors verified final on chain 31337/);
    expect(seen).toEqual(anchored.notes.map((note, i) => `${i + 1}:${Buffer.from(checkpointDigest(note)).toString('hex')}`));
    expect(report.checkpoints[0]?.anchors[0]?.blockTime).toBe(new Date(1_790_000_000_000).toISOString());
  });

  it('a failed anchor makes the bundle invalid; a block not final yet makes it inconclusive (exit 3)', async () => {
    const failed = await verifyBundle(anchored.bundle, {
      anchorVerifier: fixedAnchors(() => ({ status: 'failed', code: 'E_ANCHOR_DIGEST', message: 'no digest' })),
    });
    expect(failed.exitCode).toBe(1);
    expect(failed.failures[0]?.where).toBe('anchor 0 of checkpoint 0');
    const pending = await verifyBundle(anchored.bundle, { anchorVerifier: fixedAnchors(() => ({ status: 'pending', message: 'not final' })) });
    expect(pending.verdict).toBe('inconclusive');
    expect(pending.exitCode).toBe(3);
    expect(pending.summary).toMatch(/^INCONCLUSIVE/);
  });

  it('anchors on another chain are listed as not checked', async () => {
    const report = await verifyBundle(anchored.bundle, { anchorVerifier: fixedAnchors(() => ({ status: 'unchecked', message: 'other chain' })) });
    expect(report.verdict).toBe('valid');
    expect(report.notChecked.join()).toMatch(/2 anchors on chain 31337 not checked/);
  });

  it('warns when an entry was received after the block time of an anchor covering it', async () => {
    const report = await verifyBundle(anchored.bundle, {
      anchorVerifier: fixedAnchors(() => ({ status: 'verified', blockHash: `0x${'00'.repeat(32)}`, blockTimestampMs: 1_759_990_000_000, finality: 'confirmations', confirmations: 3 })),
    });
    expect(report.verdict).toBe('valid');
    expect(report.warnings.map((w) => w.code)).toContain('W_ENTRY_AFTER_ANCHOR');
  });

  it('a malformed anchor fails', async () => {
    const b = copy(anchored.bundle);
    const a = b.checkpoints[0]?.anchors[0];
    if (a === undefined) throw new Error('no anchor');
    a.tx_hash = '0x1234';
    expect(codes(await verifyBundle(b))).toEqual(['E_ANCHOR_MALFORMED']);
  });
});

describe('parseBundle and unusable input (exit 2)', () => {
  it('round-trips through serializeBundle', () => {
    expect(parseBundle(serializeBundle(valid)).bundle).toEqual(valid);
  });

  it('refuses what is not a bundle with the codes that map to exit 2', async () => {
    for (const [text, code] of [
      ['not json', 'E_BUNDLE_NOT_JSON'],
      ['[1,2]', 'E_BUNDLE_SHAPE'],
      [JSON.stringify({ ...valid, format: 'tg-proof-bundle/2' }), 'E_BUNDLE_FORMAT'],
      [JSON.stringify({ ...valid, entries: 'x' }), 'E_BUNDLE_SHAPE'],
      [JSON.stringify({ ...valid, checkpoints: [] }), 'E_BUNDLE_SHAPE'],
      [JSON.stringify({ ...valid, entries: [{ ...valid.entries[0], index: -1 }] }), 'E_BUNDLE_SHAPE'],
      [JSON.stringify({ ...valid, entries: [{ ...valid.entries[0], index: 1.5 }] }), 'E_BUNDLE_SHAPE'],
      [JSON.stringify(valid).replace('"origin":', '"origin":"x","origin":'), 'E_BUNDLE_SHAPE'],
    ] as const) {
      const report = await verifyBundleText(text);
      expect(report.exitCode, text.slice(0, 40)).toBe(2);
      expect(report.failures[0]?.code).toBe(code);
    }
    const notUtf8 = await verifyBundleText(Uint8Array.of(0x7b, 0xff, 0x7d));
    expect(notUtf8.failures[0]?.code).toBe('E_BUNDLE_NOT_JSON');
  });

  it('names the path of a duplicate key inside an entry', () => {
    const text = JSON.stringify(valid).replace('"checkpoint":0,', '"checkpoint":0,"checkpoint":1,');
    expect(() => parseBundle(text)).toThrowError(/\$\.entries\[\] has the key "checkpoint" twice/);
  });
});
