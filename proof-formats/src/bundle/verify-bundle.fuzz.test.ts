import { isTrialgateError } from '@trialgate/firmware-protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitNote } from '../note/signed-note.js';
import { makeSampleBundle } from '../testing/sample-bundle.js';
import { parseBundle, serializeBundle } from './parse-bundle.js';
import type { BundleVerificationReport } from './verification-report.js';
import { verifyBundleText } from './verify-bundle.js';

/**
 * The verifier on attacker-controlled bundles: it never crashes, hangs or throws (every problem becomes a
 * report), and a mutated valid bundle is called valid only when what the verdict vouches for is still exactly
 * the original log: every entry's bytes at its index and every checkpoint body. (Neutral mutations exist:
 * whitespace, dropping an entry, a device's free-text `kind`, an unknown key's signature line.)
 */
const sample = makeSampleBundle({ anchors: () => [] });
const validText = serializeBundle(sample.bundle);
const originalBodies = new Set(sample.notes.map((note) => splitNote(note).text));

function onlyOriginalData(text: string): boolean {
  const { bundle } = parseBundle(text);
  const entriesOk = bundle.entries.every((e) => {
    const original = sample.entries[e.index];
    return original !== undefined && Buffer.from(e.entry, 'base64').equals(Buffer.from(original)) && e.entry === Buffer.from(original).toString('base64');
  });
  const checkpointsOk = bundle.checkpoints.every((c) => originalBodies.has(splitNote(c.note).text));
  return entriesOk && checkpointsOk;
}

async function verifySafely(input: string | Uint8Array): Promise<BundleVerificationReport> {
  try {
    return await verifyBundleText(input);
  } catch (error) {
    throw new Error(`verifyBundleText threw ${isTrialgateError(error) ? error.code : String(error)}`, { cause: error });
  }
}

const mutation = fc.oneof(
  // Replace one character.
  fc.tuple(fc.nat(validText.length - 1), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })).map(
    ([at, c]) => validText.slice(0, at) + c + validText.slice(at + 1),
  ),
  // Insert a few characters.
  fc.tuple(fc.nat(validText.length), fc.string({ unit: fc.constantFrom('0', '1', 'A', '=', '"', ',', ' ', '\\n', '[', ']', '{', '}', '-', '+', '/'), maxLength: 3 })).map(
    ([at, s]) => validText.slice(0, at) + s + validText.slice(at),
  ),
  // Delete a short run.
  fc.tuple(fc.nat(validText.length - 1), fc.integer({ min: 1, max: 8 })).map(([at, n]) => validText.slice(0, at) + validText.slice(at + n)),
  // Swap two digits or base64 characters far apart.
  fc.tuple(fc.nat(validText.length - 1), fc.nat(validText.length - 1)).map(([a, b]) => {
    const chars = [...validText];
    const x = chars[a] ?? '';
    chars[a] = chars[b] ?? '';
    chars[b] = x;
    return chars.join('');
  }),
);

describe('verifyBundleText on attacker-controlled input (fast-check)', () => {
  it('arbitrary text and bytes give a report (exit 1 or 2), never an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.uint8Array({ maxLength: 200 })), async (input) => {
        const report = await verifySafely(input);
        expect([1, 2]).toContain(report.exitCode);
      }),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('arbitrary JSON shaped like a bundle gives a report, valid only when it vouches for the original log', async () => {
    const hashText = fc.oneof(fc.base64String({ maxLength: 48 }), fc.string({ maxLength: 10 }));
    const bundleLike = fc.record({
      format: fc.constantFrom('tg-proof-bundle/1', 'tg-proof-bundle/2', ''),
      origin: fc.oneof(fc.constant(sample.bundle.origin), fc.string({ maxLength: 20 })),
      gateway_key: fc.oneof(fc.constant(sample.bundle.gateway_key), fc.string({ maxLength: 70 })),
      devices: fc.array(fc.record({ id: fc.string({ maxLength: 10 }), public_key: hashText, kind: fc.string({ maxLength: 5 }) }), { maxLength: 3 }),
      checkpoints: fc.array(
        fc.record({
          note: fc.oneof(fc.constantFrom(...sample.notes), fc.string({ unit: 'binary', maxLength: 120 })),
          anchors: fc.array(fc.record({ chain_id: fc.integer({ min: -1, max: 3 }), tx_hash: fc.string({ maxLength: 66 }), block_number: fc.integer({ min: -1, max: 9 }), from: fc.string({ maxLength: 42 }) }), { maxLength: 2 }),
        }),
        { maxLength: 3 },
      ),
      consistency: fc.array(fc.record({ from_size: fc.integer({ min: -1, max: 12 }), to_size: fc.integer({ min: -1, max: 12 }), proof: fc.array(hashText, { maxLength: 5 }) }), { maxLength: 3 }),
      entries: fc.array(
        fc.record({
          index: fc.oneof(fc.integer({ min: -1, max: 12 }), fc.double()),
          entry: fc.oneof(fc.constantFrom(...sample.bundle.entries.map((e) => e.entry)), hashText),
          checkpoint: fc.integer({ min: -1, max: 4 }),
          proof: fc.array(hashText, { maxLength: 6 }),
        }),
        { maxLength: 5 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(bundleLike, async (value) => {
        const text = JSON.stringify(value);
        const report = await verifySafely(text);
        // The generator can assemble a genuinely valid bundle (the real origin, key and a real signed
        // checkpoint with no entries, or real entries with their real proofs), so "never valid" is wrong;
        // what must hold is that a valid verdict vouches only for the original log.
        if (report.verdict === 'valid') expect(onlyOriginalData(text), 'a valid verdict vouches only for the original log').toBe(true);
      }),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('a mutated valid bundle is never valid unless the mutation is semantically neutral', async () => {
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (text) => {
        const report = await verifySafely(text);
        expect([0, 1, 2]).toContain(report.exitCode);
        if (report.verdict === 'valid') {
          valid += 1;
          expect(onlyOriginalData(text), 'a valid verdict vouches only for the original log').toBe(true);
        }
      }),
      { numRuns: 2500 },
    );
    // Most mutations must be caught; some (whitespace, a device kind) are neutral.
    expect(valid).toBeLessThan(2500);
  }, 120_000);

  it('structured tampering with entries, proofs and checkpoints is never valid', async () => {
    const tamper = fc.oneof(
      fc.record({ entry: fc.nat(sample.bundle.entries.length - 1), byte: fc.nat(200), xor: fc.integer({ min: 1, max: 255 }) }).map(({ entry, byte, xor }) => (b: ReturnType<typeof clone>) => {
        const e = b.entries[entry];
        if (e === undefined) return;
        const bytes = Buffer.from(e.entry, 'base64');
        const at = byte % bytes.length;
        bytes[at] = (bytes[at] ?? 0) ^ xor;
        e.entry = bytes.toString('base64');
      }),
      fc.record({ entry: fc.nat(sample.bundle.entries.length - 1), delta: fc.integer({ min: -5, max: 5 }).filter((d) => d !== 0) }).map(({ entry, delta }) => (b: ReturnType<typeof clone>) => {
        const e = b.entries[entry];
        if (e !== undefined) e.index = Math.max(0, e.index + delta) === e.index ? e.index + 1 : Math.max(0, e.index + delta);
      }),
      fc.record({ entry: fc.nat(sample.bundle.entries.length - 1), hash: fc.nat(10), xor: fc.integer({ min: 1, max: 255 }) }).map(({ entry, hash, xor }) => (b: ReturnType<typeof clone>) => {
        const e = b.entries[entry];
        if (e === undefined || e.proof.length === 0) {
          if (e !== undefined) e.proof.push(Buffer.alloc(32, xor).toString('base64'));
          return;
        }
        const at = hash % e.proof.length;
        const bytes = Buffer.from(e.proof[at] ?? '', 'base64');
        bytes[xor % 32] = (bytes[xor % 32] ?? 0) ^ xor;
        e.proof[at] = bytes.toString('base64');
      }),
      fc.record({ checkpoint: fc.nat(sample.bundle.checkpoints.length - 1), at: fc.nat(60), c: fc.constantFrom('0', '1', 'x', 'A') }).map(({ checkpoint, at, c }) => (b: ReturnType<typeof clone>) => {
        const cp = b.checkpoints[checkpoint];
        if (cp === undefined) return;
        const body = splitNote(cp.note).text;
        const i = at % body.length;
        if (body[i] === c || body[i] === '\n') return void (cp.note = cp.note.replace(body, body.replace(/\n$/, 'X\n')));
        cp.note = body.slice(0, i) + c + cp.note.slice(i + 1);
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(tamper, { minLength: 1, maxLength: 3 }), async (steps) => {
        const b = clone();
        for (const step of steps) step(b);
        const text = JSON.stringify(b);
        const report = await verifySafely(text);
        if (report.verdict === 'valid') expect(onlyOriginalData(text)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  }, 120_000);
});

function clone(): { entries: { index: number; entry: string; checkpoint: number; proof: string[] }[]; checkpoints: { note: string; anchors: unknown[] }[] } & Record<string, unknown> {
  return JSON.parse(JSON.stringify(sample.bundle)) as ReturnType<typeof clone>;
}
