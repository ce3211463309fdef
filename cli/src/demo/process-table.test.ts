import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessTable, runningDemo, stopLeftovers } from './process-table.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tableFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-demo-table-'));
  dirs.push(dir);
  return path.join(dir, 'processes.json');
}

describe('ProcessTable', () => {
  it('keeps the file in step with the processes added and removed', () => {
    const file = tableFile();
    const table = new ProcessTable(file);
    table.add({ name: 'the gateway', pid: 4242, argv: ['node', 'trialgate.js', 'gateway'] });
    table.add({ name: 'anvil', pid: 4243, argv: ['anvil'] });
    table.remove(4242);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ processes: [{ name: 'anvil', pid: 4243, argv: ['anvil'] }] });
  });
});

describe('stopLeftovers', () => {
  it('stops nothing whose pid no longer runs the recorded command line (a reused pid is left alone)', () => {
    const file = tableFile();
    writeFileSync(file, JSON.stringify({ processes: [{ name: 'the gateway', pid: 999_999_999, argv: ['node', 'x'] }] }));
    const asked: number[] = [];
    expect(stopLeftovers(file, (pid) => {
      asked.push(pid);
      return 'some other program';
    })).toEqual([]);
    expect(asked).toEqual([999_999_999]);
  });

  it('stops nothing for a missing, torn or edited file', () => {
    const file = tableFile();
    expect(stopLeftovers(file)).toEqual([]);
    fc.assert(fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.jsonValue().map((v) => JSON.stringify({ processes: [v] }))), (text) => {
      writeFileSync(file, text);
      // No command line ever matches here, so nothing can be signalled whatever the file says.
      expect(stopLeftovers(file, () => null)).toEqual([]);
    }), { numRuns: 200 });
  });
});

describe('runningDemo', () => {
  it('finds another demo run that still uses the table, and nothing else', () => {
    const file = tableFile();
    expect(runningDemo(file)).toBeNull();
    writeFileSync(file, JSON.stringify({ demoPid: 4242, processes: [] }));
    expect(runningDemo(file, () => ['node', 'trialgate.js', 'demo', '--out', 'x'].join('\0'))).toBe(4242);
    expect(runningDemo(file, () => 'some other program')).toBeNull();
    expect(runningDemo(file, () => null)).toBeNull();
    writeFileSync(file, JSON.stringify({ demoPid: process.pid, processes: [] }));
    expect(runningDemo(file, () => 'demo')).toBeNull();
  });
});
