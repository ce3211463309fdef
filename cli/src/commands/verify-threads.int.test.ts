import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSampleBundle } from '@trialgate/proof-formats/testing';
import { serializeBundle } from '@trialgate/proof-formats';

/**
 * `trialgate verify` (the built command, `npx tsc -b` first) gives the same report with device signatures on
 * worker threads as on the main thread: on the bundles of the independent maker (test/independent-bundles),
 * valid and tampered, and on a larger bundle with tampered entries.
 */
interface AcceptanceCase {
  readonly name: string;
  readonly text: string;
  readonly exitCode: number;
  readonly extraArgs?: readonly string[];
}
// The independent maker lives in the test workspace; loaded at run time (vitest compiles it), not built into cli.
const maker = (await import(new URL('../../../test/independent-bundles/bundle-maker.ts', import.meta.url).href)) as { acceptanceCases(): AcceptanceCase[] };

const bin = fileURLToPath(new URL('../../bin/trialgate.js', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-verify-threads-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function verify(file: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, 'verify', file, ...args], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('trialgate verify --threads', () => {
  it('gives the same JSON report with 0 and 2 threads on every independent acceptance case (and the same text on three)', () => {
    const cases = maker.acceptanceCases();
    expect(cases.length).toBeGreaterThan(5);
    cases.forEach((c, i) => {
      const file = path.join(dir, `case-${i}.json`);
      fs.writeFileSync(file, c.text);
      const extra = [...(c.extraArgs ?? [])];
      const plain = verify(file, '--json', '--threads', '0', ...extra);
      const threaded = verify(file, '--json', '--threads', '2', ...extra);
      expect(plain.status, c.name).toBe(c.exitCode);
      expect(threaded.status, c.name).toBe(c.exitCode);
      expect(threaded.stdout, c.name).toBe(plain.stdout);
      if (i < 3) expect(verify(file, '--threads', '2', ...extra).stdout, c.name).toBe(verify(file, '--threads', '0', ...extra).stdout);
    });
  }, 240_000);

  it('gives the same report on a bundle of 2,000 signed entries, some tampered, and by default on this size', () => {
    const sample = makeSampleBundle({ devices: 10, readingsPerDevice: 200, checkpoints: 3, seed: 'threads' });
    const bundle = JSON.parse(JSON.stringify(sample.bundle)) as { entries: { entry: string; proof: string[] }[]; devices: { public_key: string }[] };
    for (const k of [5, 700, 1500]) {
      const e = bundle.entries[k];
      if (e === undefined) continue;
      const bytes = Buffer.from(e.entry, 'base64');
      bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 1;
      e.entry = bytes.toString('base64');
    }
    const file = path.join(dir, 'large.json');
    fs.writeFileSync(file, serializeBundle(bundle as unknown as typeof sample.bundle));
    const plain = verify(file, '--json', '--threads', '0');
    expect(plain.status).toBe(1);
    expect(verify(file, '--json', '--threads', '2').stdout).toBe(plain.stdout);
    expect(verify(file, '--json').stdout).toBe(plain.stdout);
  }, 120_000);

  it('refuses a thread count that is not 0 to 64 (exit 2)', () => {
    const file = path.join(dir, 'case-0.json');
    expect(verify(file, '--threads', '65').status).toBe(2);
    expect(verify(file, '--threads', 'many').stderr).toMatch(/--threads must be a whole number from 0 to 64/);
  });
});
