import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptanceCases, makeBundle, makeLog, type AcceptanceCase } from './bundle-maker.js';
import { cliPath as cli, repoRoot as root, verifyCli } from './run-verify-cli.js';

const run = promisify(execFile);

/**
 * Acceptance (issue 2, "done when"): `trialgate verify` (the built CLI, spawned) on bundles made by an
 * independent implementation of the spec: the valid ones exit 0, each tampering exits 1 naming the entry or
 * checkpoint, unusable input exits 2; `--json` gives the same verdict as data.
 */
let dir: string;

function write(name: string, text: string): string {
  const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.json`);
  writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tg-acceptance-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('trialgate verify on bundles from an independent implementation', () => {
  const cases: AcceptanceCase[] = acceptanceCases();

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const file = write(c.name, c.text);
    const text = await verifyCli([file, ...(c.extraArgs ?? [])]);
    expect(text.stdout, text.stderr).toMatch(c.expect);
    expect(text.code, text.stdout).toBe(c.exitCode);
    const json = await verifyCli([file, '--json', ...(c.extraArgs ?? [])]);
    expect(json.code).toBe(c.exitCode);
    const report = JSON.parse(json.stdout) as { verdict: string; exitCode: number; failures: { where: string; code: string }[] };
    expect(report.exitCode).toBe(c.exitCode);
    expect(report.verdict).toBe(['valid', 'invalid', 'unusable', 'inconclusive'][c.exitCode]);
  });

  it('reads the bundle from standard input with -', async () => {
    const file = write('stdin', `${JSON.stringify(makeBundle(makeLog()))}\n`);
    const { code, stdout } = await run('sh', ['-c', `"${process.execPath}" "${cli}" verify - < "${file}"`], { cwd: root }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(stdout).toMatch(/^13 entries from 4 devices verified against 3 checkpoints/);
    expect(code).toBe(0);
  });

  it('a missing file and a usage error exit 2', async () => {
    expect((await verifyCli([path.join(dir, 'nope.json')])).code).toBe(2);
    expect((await verifyCli([])).code).toBe(2);
    expect((await verifyCli([path.join(dir, 'nope.json'), '--confirmations', '3'])).code).toBe(2);
  });
});
