import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEd25519Verifier } from '@trialgate/firmware-protocol';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBase64 } from '../encoding/canonical-base64.js';
import { decodeLogEntry } from '../entry/decode-log-entry.js';
import { makeSampleBundle } from '../testing/sample-bundle.js';
import { serializeBundle } from './parse-bundle.js';
import { referenceVerifyBundle } from './reference-verify-bundle.js';
import { inThreadSignedMessageChecker, type SignedMessageRequest } from './signed-message-checker.js';
import { SignatureWorkerPool } from './signature-worker-pool.js';
import { copyBundle, tamperings } from './tampered-bundles.js';
import { verifyBundle, verifyBundleText } from './verify-bundle.js';

/**
 * Signatures on worker threads (the built dist/bundle/signature-worker.js: run `npx tsc -b` first): the same
 * report as the reference verifier on valid and tampered bundles, and the same outcomes when a worker cannot
 * start or dies mid-way (its batches are checked on the calling thread).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'tg-sigpool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = makeSampleBundle({ devices: 5, readingsPerDevice: 120, checkpoints: 3, seed: 'workers' });

describe('verifyBundle with signature workers', () => {
  it('gives the reference report on a valid bundle of 600 signed entries, through verifyBundleText too', async () => {
    const reference = await referenceVerifyBundle(base.bundle);
    expect(reference.verdict).toBe('valid');
    expect(await verifyBundle(base.bundle, { signatureWorkers: 2 })).toEqual(reference);
    expect(await verifyBundleText(serializeBundle(base.bundle), { signatureWorkers: 3 })).toEqual(reference);
  });

  it('gives the reference report on every tampering of the catalogue and on random combinations', async () => {
    const catalogue = tamperings(base.bundle.entries.length);
    for (const t of catalogue) {
      const b = copyBundle(base.bundle);
      t.apply(b);
      expect(await verifyBundle(b, { signatureWorkers: 2 }), t.name).toEqual(await referenceVerifyBundle(b));
    }
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(catalogue.length - 1), { minLength: 2, maxLength: 5 }), async (picks) => {
        const b = copyBundle(base.bundle);
        for (const k of picks) catalogue[k]?.apply(b);
        expect(await verifyBundle(b, { signatureWorkers: 2 })).toEqual(await referenceVerifyBundle(b));
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});

describe('SignatureWorkerPool', () => {
  const requests: SignedMessageRequest[] = base.bundle.entries.flatMap((e) => {
    const entry = decodeLogEntry(decodeBase64(e.entry, 'entry'));
    return entry.contentType === 'cose-sign1' ? [{ deviceId: entry.deviceId, original: entry.original }] : [];
  });
  // Every fifth message damaged in its signature, every seventh in its payload.
  const mixed = requests.map((r, i) => {
    const original = Uint8Array.from(r.original);
    if (i % 5 === 0) original[original.length - 3] = (original[original.length - 3] ?? 0) ^ 1;
    if (i % 7 === 0) original[20] = (original[20] ?? 0) ^ 0x20;
    return { deviceId: r.deviceId, original };
  });
  const verifiers = new Map(base.bundle.devices.map((d) => [d.id, [createEd25519Verifier(decodeBase64(d.public_key, 'key', 32))]]));
  const inThread = inThreadSignedMessageChecker(verifiers);

  async function outcomes(pool: SignatureWorkerPool): Promise<unknown[]> {
    pool.setKeys(verifiers);
    const batches = [];
    for (let i = 0; i < mixed.length; i += 50) batches.push(pool.check(mixed.slice(i, i + 50)));
    return (await Promise.all(batches)).flat();
  }

  it('answers as the calling thread does, in request order', async () => {
    const pool = new SignatureWorkerPool({ workers: 2 });
    try {
      expect(await outcomes(pool)).toEqual(await inThread.check(mixed));
      expect(pool.workers).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('checks on the calling thread when its workers cannot start or die mid-way', async () => {
    const missing = new SignatureWorkerPool({ workers: 2, workerScript: pathToFileURL(path.join(dir, 'no-such-worker.js')) });
    try {
      expect(await outcomes(missing)).toEqual(await inThread.check(mixed));
    } finally {
      await missing.close();
    }
    const dying = path.join(dir, 'dying-worker.mjs');
    writeFileSync(dying, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (m) => { if (m.type === 'check') process.exit(3); });\n");
    const pool = new SignatureWorkerPool({ workers: 2, workerScript: pathToFileURL(dying) });
    try {
      expect(await outcomes(pool)).toEqual(await inThread.check(mixed));
      expect(pool.workers).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
