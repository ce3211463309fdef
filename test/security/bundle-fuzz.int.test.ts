/**
 * Security suite, fuzzing `trialgate verify` (issue 7; docs/SECURITY.md "Fuzzing"): a proof bundle exported
 * by the real gateway over HTTP (registry entries, readings of two devices, one of them after a key rotation),
 * then, for the fuzz budget (TG_FUZZ_SECONDS, default 4 s), mutated text, mutated JSON structure and forgeries
 * through the command's code path (`verifyBundleText` with the gateway key pinned, as a careful sponsor runs
 * it, and the command's text output), and a few through the spawned command itself.
 *
 * Nothing throws or hangs; the exit status is the verdict's (spec section 8); and a "valid" verdict vouches
 * only for what the gateway logged: every entry's bytes at its index and every checkpoint body are the
 * gateway's own. A forger who rebuilds the tree over a back-dated entry and signs it with their own key under
 * the gateway's origin is caught by the pinned key.
 *
 * Beside this: proof-formats/src/bundle/verify-bundle.fuzz.test.ts (fixed counts on a sample bundle) and
 * test/independent-bundles/verify-acceptance.int.test.ts (each named tampering, through the command).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { decodeLogEntry, encodeLogEntry, splitNote, VERDICT_EXIT_CODES, verifyBundleText, type BundleVerificationReport } from '@trialgate/proof-formats';
import { encodePublicKeyText, openTokenStore } from '@trialgate/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVerificationReport } from '../../cli/src/commands/verify-output.js';
import { CLI_BUILT } from '../e2e/cli-processes.js';
import { keyPairFromLabel } from '../independent-bundles/ed25519.js';
import { mth, path as inclusionPath } from '../independent-bundles/merkle.js';
import { checkpointBody, signNote, verifierKey } from '../independent-bundles/signed-note.js';
import { verifyCli } from '../independent-bundles/run-verify-cli.js';
import { fuzzFor, fuzzTimeoutMs } from './fuzz-budget.js';
import { publishOutcome, removeDataDir, securityDevice, startSecurityGateway, type SecurityGateway } from './security-gateway.js';

interface BundleJson {
  format: string;
  origin: string;
  gateway_key: string;
  devices: { id: string; public_key: string | null; kind: string }[];
  checkpoints: { note: string; anchors: unknown[] }[];
  consistency: { from_size: number; to_size: number; proof: string[] }[];
  entries: { index: number; entry: string; checkpoint: number; proof: string[] }[];
}

let g: SecurityGateway;
let bundleText: string;
let pinnedKey: string;
/** The gateway's log, entry by index, and the checkpoint bodies it signed. */
let logEntries: Buffer[];
let gatewayBodies: Set<string>;

beforeAll(async () => {
  g = await startSecurityGateway();
  const a = await g.enroll('sec-bundle-a');
  const b = await g.enroll('sec-bundle-b', { kind: 'pill_dispenser' });
  const ca = await g.connect(a);
  const cb = await g.connect(b);
  for (let seq = 1; seq <= 5; seq++) {
    expect(await publishOutcome(ca, 'tg/v1/dev/sec-bundle-a/up', a.message(seq, { type: 'spo2', data: { pct: 97.5 } }))).toBe('acked');
    expect(await publishOutcome(cb, 'tg/v1/dev/sec-bundle-b/up', b.message(seq, { type: 'dose_event', data: { event: 'taken', slot: seq } }))).toBe('acked');
  }
  await g.gateway.checkpointer.checkpointNow();
  // Device A's key is rotated: its later readings verify under the new key, its earlier under the old one.
  const rotated = securityDevice('sec-bundle-a');
  await g.gateway.admin.changeDevice('sec-bundle-a', { op: 'rotate-key', public_key: encodePublicKeyText(rotated.publicKey) }, 'security-test');
  await ca.endAsync();
  const ca2 = await g.connect(rotated);
  for (let seq = 6; seq <= 8; seq++) expect(await publishOutcome(ca2, 'tg/v1/dev/sec-bundle-a/up', rotated.message(seq))).toBe('acked');
  await ca2.endAsync();
  await cb.endAsync();
  await g.gateway.checkpointer.checkpointNow();

  const opened = openTokenStore(g.dataDir);
  const token = opened.tokens.create({ scopes: ['export'] }).token;
  opened.close();
  const response = await fetch(`${g.httpUrl}/export`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  bundleText = await response.text();
  pinnedKey = g.gateway.verifierKey;
  const log = g.gateway.store.log;
  logEntries = Array.from({ length: log.size() }, (_, i) => Buffer.from(log.readEntry(i)));
  gatewayBodies = new Set(g.gateway.store.checkpoints.list({ limit: 1000 }).map((c) => splitNote(c.note).text));
}, 60_000);

afterAll(async () => {
  await g.stop();
  removeDataDir(g.dataDir);
});

/** True if everything the bundle asks a sponsor to believe is what the gateway logged and signed. */
function vouchesOnlyForTheLog(text: string): boolean {
  const bundle = JSON.parse(text) as BundleJson;
  const entriesOk = bundle.entries.every((e) => {
    const original = logEntries[e.index];
    return original !== undefined && original.toString('base64') === e.entry;
  });
  return entriesOk && bundle.checkpoints.every((c) => gatewayBodies.has(splitNote(c.note).text));
}

/** What `trialgate verify BUNDLE --gateway-key KEY` computes and prints, in this process. */
async function verifyAsTheCommand(input: string): Promise<BundleVerificationReport> {
  const report = await verifyBundleText(input, { trustedGatewayKey: pinnedKey, anchorsNotCheckedReason: 'no --rpc given' });
  expect(report.exitCode).toBe(VERDICT_EXIT_CODES[report.verdict]);
  expect(formatVerificationReport(report).join('\n').length).toBeGreaterThan(0);
  expect(() => JSON.stringify(report)).not.toThrow();
  return report;
}

/** A forger's bundle: entry `at` back-dated by `ms`, the tree rebuilt, the checkpoint signed with their key. */
function forged(at: number, ms: number): string {
  const bundle = JSON.parse(bundleText) as BundleJson;
  const entries: Uint8Array[] = logEntries.map((bytes) => new Uint8Array(bytes));
  const target = at % entries.length;
  const entry = decodeLogEntry(entries[target] ?? new Uint8Array());
  entries[target] = encodeLogEntry({ ...entry, receivedAtMs: Math.max(0, entry.receivedAtMs - ms) });
  const forger = keyPairFromLabel('forger');
  const note = signNote(checkpointBody(bundle.origin, entries.length, mth(entries)), [{ name: bundle.origin, key: forger }]);
  bundle.gateway_key = verifierKey(bundle.origin, forger.publicKey);
  bundle.checkpoints = [{ note, anchors: [] }];
  bundle.consistency = [];
  bundle.entries = entries.map((e, index) => ({ index, entry: Buffer.from(e).toString('base64'), checkpoint: 0, proof: inclusionPath(index, entries).map((h) => Buffer.from(h).toString('base64')) }));
  return JSON.stringify(bundle);
}

type Mutation =
  | { readonly kind: 'text'; readonly at: number; readonly insert: string; readonly remove: number }
  | { readonly kind: 'swap-entries'; readonly a: number; readonly b: number }
  | { readonly kind: 'move-index'; readonly at: number; readonly by: number }
  | { readonly kind: 'duplicate-entry'; readonly at: number }
  | { readonly kind: 'entry-bytes'; readonly at: number; readonly byte: number }
  | { readonly kind: 'other-device-key'; readonly at: number }
  | { readonly kind: 'drop-device'; readonly at: number }
  | { readonly kind: 'proof-hash'; readonly at: number; readonly hash: number }
  | { readonly kind: 'checkpoint-pointer'; readonly at: number; readonly to: number }
  | { readonly kind: 'forged-log'; readonly at: number; readonly ms: number }
  | { readonly kind: 'unpinned-key-swap' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), at: fc.nat(), insert: fc.string({ unit: 'binary', maxLength: 4 }), remove: fc.nat({ max: 6 }) }),
  fc.record({ kind: fc.constant('swap-entries' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('move-index' as const), at: fc.nat(), by: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ kind: fc.constant('duplicate-entry' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('entry-bytes' as const), at: fc.nat(), byte: fc.nat() }),
  fc.record({ kind: fc.constant('other-device-key' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop-device' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('proof-hash' as const), at: fc.nat(), hash: fc.nat() }),
  fc.record({ kind: fc.constant('checkpoint-pointer' as const), at: fc.nat(), to: fc.integer({ min: -1, max: 3 }) }),
  fc.record({ kind: fc.constant('forged-log' as const), at: fc.nat(), ms: fc.integer({ min: 1, max: 86_400_000 }) }),
  fc.constant({ kind: 'unpinned-key-swap' as const }),
);

/** `base` with one mutation (a forgery replaces it whole); JSON edits of a text that no longer parses leave it. */
function mutate(base: string, m: Mutation): string {
  if (m.kind === 'text') {
    const at = m.at % Math.max(1, base.length);
    return base.slice(0, at) + m.insert + base.slice(at + m.remove);
  }
  if (m.kind === 'forged-log') return forged(m.at, m.ms);
  let parsed: unknown;
  try {
    parsed = JSON.parse(base);
  } catch {
    return base;
  }
  const b = parsed as BundleJson;
  if (!Array.isArray(b.entries) || !Array.isArray(b.devices) || b.entries.length === 0 || b.devices.length === 0) return base;
  const n = b.entries.length;
  switch (m.kind) {
    case 'swap-entries': {
      const x = b.entries[m.a % n];
      const y = b.entries[m.b % n];
      if (x !== undefined && y !== undefined) [x.entry, y.entry] = [y.entry, x.entry];
      break;
    }
    case 'move-index': {
      const e = b.entries[m.at % n];
      if (e !== undefined) e.index += m.by;
      break;
    }
    case 'duplicate-entry': {
      const e = b.entries[m.at % n];
      if (e !== undefined) b.entries.push({ ...e });
      break;
    }
    case 'entry-bytes': {
      const e = b.entries[m.at % n];
      if (e !== undefined && typeof e.entry === 'string') {
        const bytes = Buffer.from(e.entry, 'base64');
        if (bytes.length > 0) bytes[m.byte % bytes.length] = (bytes[m.byte % bytes.length] ?? 0) ^ 0x01;
        e.entry = bytes.toString('base64');
      }
      break;
    }
    case 'other-device-key': {
      const d = b.devices[m.at % b.devices.length];
      const other = b.devices[(m.at + 1) % b.devices.length];
      if (d !== undefined && other !== undefined) d.public_key = other.public_key;
      break;
    }
    case 'drop-device':
      b.devices.splice(m.at % b.devices.length, 1);
      break;
    case 'proof-hash': {
      const e = b.entries[m.at % n];
      if (e !== undefined && Array.isArray(e.proof) && e.proof.length > 0) e.proof[m.hash % e.proof.length] = Buffer.alloc(32, m.hash % 256).toString('base64');
      break;
    }
    case 'checkpoint-pointer': {
      const e = b.entries[m.at % n];
      if (e !== undefined) e.checkpoint = m.to;
      break;
    }
    case 'unpinned-key-swap':
      // The bundle names another key; the pinned key decides.
      b.gateway_key = verifierKey(b.origin, keyPairFromLabel('forger').publicKey);
      break;
  }
  return JSON.stringify(b);
}

describe('security: fuzzing trialgate verify with a bundle the gateway exported', () => {
  it('the exported bundle verifies with the pinned gateway key', async () => {
    const report = await verifyAsTheCommand(bundleText);
    expect(report.verdict, report.failures.map((f) => f.message).join('\n')).toBe('valid');
    expect(report.counts.signedEntries).toBe(13);
    // A forger's rebuilt log is internally consistent: only the pinned key tells it apart.
    const forgery = forged(3, 3_600_000);
    expect((await verifyBundleText(forgery, { anchorsNotCheckedReason: 'no --rpc given' })).verdict).toBe('valid');
    expect((await verifyAsTheCommand(forgery)).verdict).toBe('invalid');
  });

  it('never throws, exits with the verdict\'s status, and is valid only for the gateway\'s own log', async () => {
    const verdicts: Record<string, number> = {};
    await fuzzFor(
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      async (mutations) => {
        const text = mutations.reduce(mutate, bundleText);
        const report = await verifyAsTheCommand(text);
        verdicts[report.verdict] = (verdicts[report.verdict] ?? 0) + 1;
        if (report.verdict === 'valid') expect(vouchesOnlyForTheLog(text), 'a valid verdict vouches only for the gateway\'s log').toBe(true);
      },
      { minRuns: 25 },
    );
    console.info(`bundle fuzz verdicts: ${JSON.stringify(verdicts)}`);
    expect(verdicts['invalid'] ?? 0).toBeGreaterThan(0);
  }, fuzzTimeoutMs(30_000));

  it.skipIf(!CLI_BUILT)('the spawned command agrees: exit status by verdict, no stack trace', async () => {
    const dir = path.join(g.dataDir, 'bundles');
    mkdirSync(dir, { recursive: true });
    const cases: [string, string, number][] = [
      ['exported', bundleText, 0],
      ['forged log', forged(5, 60_000), 1],
      ['entry bytes', mutate(bundleText, { kind: 'entry-bytes', at: 4, byte: 9 }), 1],
      ['not a bundle', '\u0000\u00ff{"format":"tg-proof-bundle/1"', 2],
    ];
    const runs = await Promise.all(
      cases.map(([name, text]) => {
        const file = path.join(dir, `${name.replace(/\W+/g, '-')}.json`);
        writeFileSync(file, text);
        return verifyCli([file, '--gateway-key', pinnedKey]);
      }),
    );
    for (const [i, [name, , exitCode]] of cases.entries()) {
      const run = runs[i] ?? { code: -1, stdout: '', stderr: '' };
      expect(run.code, `${name}: ${run.stdout}${run.stderr}`).toBe(exitCode);
      expect(run.stderr, name).not.toMatch(/^\s+at /m);
      expect(run.stdout.length, name).toBeGreaterThan(0);
    }
  }, 60_000);
});

