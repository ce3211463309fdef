import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnchorCheck, AnchorVerifier } from '../anchor/anchor-verifier.js';
import { makeSampleBundle } from '../testing/sample-bundle.js';
import { parseBundle, serializeBundle } from './parse-bundle.js';
import type { ProofBundle } from './proof-bundle.js';
import { referenceVerifyBundle } from './reference-verify-bundle.js';
import { copyBundle, tamperings } from './tampered-bundles.js';
import type { BundleVerificationReport } from './verification-report.js';
import { unusableReport, verifyBundle, verifyBundleText, type VerifyBundleOptions } from './verify-bundle.js';

/**
 * The fast verifier (shared proof paths, fast entry and base64 readers, signed entries checked in batches)
 * against the plain reference verifier: the same report, finding for finding and in the same order, on
 * valid bundles of many shapes, on every tampering of the catalogue, and on random combinations and textual
 * mutations. (Worker threads: verify-bundle-workers.int.test.ts.)
 */
async function referenceText(text: string, options: VerifyBundleOptions = {}): Promise<BundleVerificationReport> {
  let parsed;
  try {
    parsed = parseBundle(text);
  } catch (error) {
    return unusableReport(error as { code: string; message: string });
  }
  return referenceVerifyBundle(parsed.bundle, { ...options, ignoredFields: parsed.ignoredFields });
}

async function same(bundle: ProofBundle, options: VerifyBundleOptions = {}): Promise<BundleVerificationReport> {
  const fast = await verifyBundle(bundle, options);
  expect(fast).toEqual(await referenceVerifyBundle(bundle, options));
  return fast;
}

const anchorFor = (position: number) => [{ chainId: 31337, txHash: `0x${String(position + 1).padStart(64, '0')}` as `0x${string}`, blockNumber: 10 + position, from: `0x${'ab'.repeat(20)}` as `0x${string}` }];
const anchors = (answer: (txHash: string) => AnchorCheck): AnchorVerifier => ({
  describe: () => Promise.resolve('chain 31337 through a test double'),
  checkAnchor: (claim) => Promise.resolve(answer(claim.txHash)),
});

const shapes = [
  makeSampleBundle(),
  makeSampleBundle({ devices: 1, readingsPerDevice: 1, checkpoints: 1, registry: false, unsignedEntries: false }),
  makeSampleBundle({ devices: 4, readingsPerDevice: 9, checkpoints: 4, seed: 'four' }),
  makeSampleBundle({ devices: 3, readingsPerDevice: 40, checkpoints: 3, seed: 'many' }),
  makeSampleBundle({ extraReadings: [{ device: 1, seq: 2, bpm: 120 }, { device: 0, seq: 9, bpm: 61 }] }),
  makeSampleBundle({ extraReadings: [{ device: 0, seq: 4, bpm: 70, secretKey: new Uint8Array(32).fill(42) }] }),
  makeSampleBundle({ anchors: anchorFor, checkpoints: 3 }),
];
const base = makeSampleBundle({ devices: 3, readingsPerDevice: 12, checkpoints: 3, seed: 'tamper', anchors: anchorFor });

describe('verifyBundle gives the reference verifier\'s report', () => {
  it('on valid bundles of many shapes, with and without a pinned key and anchors', async () => {
    for (const sample of shapes) {
      await same(sample.bundle);
      await same(sample.bundle, { trustedGatewayKey: sample.gatewaySigner.verifierKey });
      await same(sample.bundle, { anchorVerifier: anchors(() => ({ status: 'verified', blockHash: `0x${'00'.repeat(32)}`, blockTimestampMs: 1_759_990_000_000, finality: 'finalized-tag', confirmations: 9 })) });
      await same(sample.bundle, { anchorVerifier: anchors((tx) => (tx.endsWith('2') ? { status: 'pending', message: 'not final' } : { status: 'failed', code: 'E_ANCHOR_DIGEST', message: 'no digest' })) });
    }
  }, 60_000);

  it('on every tampering of the catalogue', async () => {
    const catalogue = tamperings(base.bundle.entries.length);
    expect(catalogue.length).toBeGreaterThan(60);
    let invalid = 0;
    for (const t of catalogue) {
      const b = copyBundle(base.bundle);
      t.apply(b);
      const report = await verifyBundle(b);
      expect(report, t.name).toEqual(await referenceVerifyBundle(b));
      if (report.verdict !== 'valid') invalid += 1;
    }
    // Most tamperings are caught (a few are neutral: a dropped entry, a device listed twice, ...).
    expect(invalid).toBeGreaterThan(catalogue.length * 0.8);
  }, 60_000);

  it('on random combinations of tamperings (fast-check)', async () => {
    const catalogue = tamperings(base.bundle.entries.length);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(catalogue.length - 1), { minLength: 1, maxLength: 4 }), async (picks) => {
        const b = copyBundle(base.bundle);
        for (const k of picks) catalogue[k]?.apply(b);
        expect(await verifyBundle(b)).toEqual(await referenceVerifyBundle(b));
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('on textual mutations of a valid bundle, through verifyBundleText (fast-check)', async () => {
    const text = serializeBundle(makeSampleBundle({ devices: 2, readingsPerDevice: 6, checkpoints: 2 }).bundle);
    const mutation = fc.oneof(
      fc.tuple(fc.nat(text.length - 1), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })).map(([at, c]) => text.slice(0, at) + c + text.slice(at + 1)),
      fc.tuple(fc.nat(text.length), fc.string({ unit: fc.constantFrom('0', '1', 'A', '=', '"', ',', ' ', '[', ']', '{', '}', '+', '/'), maxLength: 3 })).map(([at, s]) => text.slice(0, at) + s + text.slice(at)),
      fc.tuple(fc.nat(text.length - 1), fc.integer({ min: 1, max: 8 })).map(([at, n]) => text.slice(0, at) + text.slice(at + n)),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (mutated) => {
        expect(await verifyBundleText(mutated)).toEqual(await referenceText(mutated));
      }),
      { numRuns: 1000 },
    );
  }, 120_000);
});
