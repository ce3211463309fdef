import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSuites } from './run-suites.js';

/**
 * The runner's child processes (the built bench/dist/lib/suite-child.js: `npx tsc -b` first): measurements
 * come back over IPC, a failing suite is recorded and the next one runs, and a suite that overruns is killed
 * with the processes it started.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bench-runner-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function suite(name: string, body: string): { name: string; modulePath: string } {
  const modulePath = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(modulePath, body);
  return { name, modulePath };
}

describe('runSuites', () => {
  it('runs each suite in its own process, records failures and timeouts, and goes on', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    const suites = [
      suite('fine', "export const run = async ({ quick }) => [{ suite: 'fine', name: 'answer', value: quick ? 1 : 42, unit: 'x', params: { pid: process.pid, gc: typeof globalThis.gc } }];"),
      suite('broken', "export const run = async () => { throw new Error('the suite broke'); };"),
      suite('no-run', 'export const nothing = 1;'),
      suite(
        'hangs',
        `import { spawn } from 'node:child_process'; import fs from 'node:fs';
         export const run = async () => { const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); fs.writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); await new Promise(() => {}); };`,
      ),
      suite('after', "export const run = async () => [{ suite: 'after', name: 'ran', value: 1, unit: 'x' }];"),
    ];
    const events: string[] = [];
    const result = await runSuites({ suites, quick: false, timeoutMs: 3_000, onProgress: (e) => events.push(`${e.phase}:${e.suite}`) });
    expect(result.runs.map((r) => [r.name, r.status])).toEqual([
      ['fine', 'ok'],
      ['broken', 'failed'],
      ['no-run', 'failed'],
      ['hangs', 'timed-out'],
      ['after', 'ok'],
    ]);
    expect(result.runs[1]?.error).toMatch(/the suite broke/);
    expect(result.runs[2]?.error).toMatch(/does not export run/);
    expect(result.measurements.map((m) => m.name)).toEqual(['answer', 'ran']);
    expect(result.measurements[0]?.value).toBe(42);
    expect(result.measurements[0]?.params).toMatchObject({ gc: 'function' });
    expect(result.measurements[0]?.params?.['pid']).not.toBe(process.pid);
    expect(result.runs.every((r) => r.loadAverage.start.length === 3 && r.seconds >= 0)).toBe(true);
    expect(events).toHaveLength(10);
    // The process the hanging suite started went with it (gone, or a zombie nobody has reaped yet).
    const grandchild = Number(fs.readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 200));
    const state = fs.existsSync(`/proc/${grandchild}/stat`) ? fs.readFileSync(`/proc/${grandchild}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
    expect(['gone', 'Z', 'X']).toContain(state);
  }, 60_000);

  it('passes --quick to the suites', async () => {
    const result = await runSuites({ suites: [suite('quickly', "export const run = async ({ quick }) => [{ suite: 'q', name: 'quick', value: quick ? 1 : 0, unit: 'x' }];")], quick: true, timeoutMs: 20_000 });
    expect(result.measurements[0]?.value).toBe(1);
  });
});
