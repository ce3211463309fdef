/**
 * `trialgate gateway` as a site runs it (spawned, built dist/): the one line on standard error once it
 * listens names the serial lines it reads beside the MQTT listener. (BLE cannot start on a machine without an
 * adapter; the line's BLE part is covered by gateway-listening-line.test.ts.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../bin/trialgate.js', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('trialgate gateway', () => {
  it('names its serial lines in the listening line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-cli-listening-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // A line whose device is not plugged in yet: the gateway starts and keeps trying to open it.
    const port = path.join(dir, 'ttyUSB-dispenser');
    const child = spawn(process.execPath, [
      CLI, 'gateway', '--data', path.join(dir, 'data'), '--origin', 'test.example/site-9/gw', '--mqtt-host', '127.0.0.1', '--mqtt-port', '0',
      '--http-host', '127.0.0.1', '--http-port', '0', '--log-level', 'warn', '--serial', `${port}:9600`, '--serial', `${port}-2`,
    ]);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 30 s:\n${stderr}`)), 30_000);
      child.stderr.on('data', () => {
        const found = stderr.split('\n').find((l) => l.includes('listening on'));
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      child.once('exit', (code) => reject(new Error(`the gateway exited with ${String(code)}:\n${stderr}`)));
    });
    expect(line).toMatch(new RegExp(`listening on mqtt://127\\.0\\.0\\.1:\\d+, serial ${port.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(9600 baud\\), .*-2 \\(115200 baud\\); API http://127\\.0\\.0\\.1:\\d+;`));
  });
});
