/**
 * The demo's process handling with real child processes: readiness lines, exits before ready, the log file,
 * stopping a whole process group (a child that ignores SIGTERM and its own child), leftovers of a killed
 * run found again by their recorded command line, and a private redis-server.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findOnPath } from '@trialgate/proof-formats';
import { ManagedProcess } from './managed-process.js';
import { stopLeftovers } from './process-table.js';
import { pingRedis, systemRedisPorts } from './redis-endpoint.js';

const dirs: string[] = [];
const started: ManagedProcess[] = [];
afterEach(async () => {
  for (const part of started.splice(0)) await part.stop('SIGKILL', 1000);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-demo-proc-'));
  dirs.push(dir);
  return dir;
}
function node(name: string, script: string, logFile: string): ManagedProcess {
  const part = ManagedProcess.start({ name, command: process.execPath, args: ['-e', script], logFile });
  started.push(part);
  return part;
}
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('ManagedProcess', () => {
  it('resolves a readiness line, writes every line to its log file and keeps the last lines', async () => {
    const log = path.join(scratch(), 'part.log');
    const part = node('the part', "console.log('starting'); setTimeout(() => console.error('Listening on 127.0.0.1:4242'), 100); setTimeout(() => {}, 60000)", log);
    const match = await part.waitForOutput(/Listening on 127\.0\.0\.1:(\d+)/, 10_000);
    expect(match[1]).toBe('4242');
    expect(part.lastLines(5)).toEqual(['starting', 'Listening on 127.0.0.1:4242']);
    expect(part.stdout).toBe('starting\n');
    const status = await part.stop();
    expect(status.signal).toBe('SIGTERM');
    expect(readFileSync(log, 'utf8')).toMatch(/starting\nListening on 127\.0\.0\.1:4242\n# .* exited: killed by SIGTERM/);
  });

  it('says so when the part exits before it is ready, or is not ready in time', async () => {
    const log = path.join(scratch(), 'part.log');
    await expect(node('the gateway', "console.error('boom'); process.exit(3)", log).waitForOutput(/ready/, 10_000))
      .rejects.toMatchObject({ code: 'E_DEMO_PART_FAILED', message: 'the gateway exited before it was ready (exit status 3)' });
    await expect(node('the chain', 'setTimeout(() => {}, 60000)', log).waitForOutput(/ready/, 300))
      .rejects.toMatchObject({ code: 'E_DEMO_TIMEOUT' });
    const missing = ManagedProcess.start({ name: 'nothing', command: path.join(scratch(), 'no-such-binary'), args: [], logFile: log });
    expect((await missing.exited).error).toMatch(/ENOENT/);
  });

  it('stop kills the whole process group after the grace period, even a part that ignores SIGTERM and its child', async () => {
    const log = path.join(scratch(), 'part.log');
    const part = node(
      'stubborn',
      "process.on('SIGTERM', () => {}); const c = require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' }); console.log('child ' + c.pid); setTimeout(() => {}, 60000)",
      log,
    );
    const grandchild = Number((await part.waitForOutput(/child (\d+)/, 10_000))[1]);
    expect(alive(grandchild)).toBe(true);
    const status = await part.stop('SIGTERM', 300);
    expect(status.signal).toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(grandchild)).toBe(false);
  });
});

describe('leftovers of a killed demo run', () => {
  it('are stopped by the next run when the pid still runs the recorded command line', async () => {
    const file = path.join(scratch(), 'processes.json');
    const argv = [process.execPath, '-e', 'setTimeout(() => {}, 60000) // leftover'];
    const orphan = spawn(argv[0] ?? '', argv.slice(1), { detached: true, stdio: 'ignore' });
    const pid = orphan.pid ?? 0;
    const exited = new Promise((resolve) => orphan.once('exit', resolve));
    writeFileSync(file, JSON.stringify({ processes: [{ name: 'the gateway', pid, argv }] }));
    expect(stopLeftovers(file)).toEqual(['the gateway']);
    await exited;
    expect(alive(pid)).toBe(false);
  });
});

describe.skipIf(findOnPath('redis-server') === null)('a private redis-server', () => {
  it('starts on a free port, answers, and is gone once stopped', async () => {
    const dir = scratch();
    const ports = systemRedisPorts({ dataDir: dir, logFile: path.join(dir, 'redis.log'), env: process.env });
    const { url, process: redis } = await ports.startPrivate(findOnPath('redis-server') ?? '');
    started.push(redis);
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await pingRedis(url)).toBe(true);
    await redis.stop();
    expect(await pingRedis(url)).toBe(false);
  });
});
