/**
 * `trialgate gateway` starts quickly because it loads only what it runs (issue 3: "starts in well under a
 * second on an empty data directory, says on one line where it listens"): spawned as a site runs it (built
 * dist/), with a module-loading hook that lists every module the process loads. The start-up time itself is
 * measured in bench/suites/ingest.ts, not asserted here (CI machines are shared).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../bin/trialgate.js', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Packages the gateway does not need to start and listen (without --redis, --serial, --ble or a YAML file). */
const NOT_AT_START_UP = ['node_modules/viem/', 'node_modules/bullmq/', 'node_modules/ioredis/', 'node_modules/mqtt/', 'node_modules/serialport/', 'node_modules/yaml/', 'node_modules/@abandonware/', '/anchor-service/dist/index.js', '/anchor-service/dist/worker/', '/device-sim/dist/index.js', '/device-sim/dist/sim/', 'cli/dist/demo/run-demo'];

describe('trialgate gateway start-up', () => {
  it('prints its listening line on an empty data directory, loading none of what other commands need, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-cli-startup-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const loaded = path.join(dir, 'loaded.txt');
    const hooks = path.join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(${JSON.stringify(loaded)}, url + '\\n');\n  return next(url, context);\n}\n`,
    );
    const register = path.join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const child = spawn(
      process.execPath,
      ['--import', pathToFileURL(register).href, CLI, 'gateway', '--data', path.join(dir, 'data'), '--origin', 'test.example/startup/gw', '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-host', '127.0.0.1', '--http-port', '0', '--log-level', 'warn'],
      { env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TRIALGATE_'))) },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.resume();
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 60 s:\n${stderr}`)), 60_000);
      child.stderr.on('data', () => {
        const found = stderr.split('\n').find((l) => l.includes(' listening on '));
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      void exited.then((code) => reject(new Error(`the gateway exited with ${String(code)}:\n${stderr}`)));
    });
    expect(line).toMatch(/^trialgate gateway test\.example\/startup\/gw listening on mqtt:\/\/127\.0\.0\.1:\d+; API http:\/\/127\.0\.0\.1:\d+; data .+; log size 0$/);
    const modules = readFileSync(loaded, 'utf8').split('\n');
    expect(modules.length).toBeGreaterThan(100);
    expect(modules.filter((url) => NOT_AT_START_UP.some((part) => url.includes(part)))).toEqual([]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
