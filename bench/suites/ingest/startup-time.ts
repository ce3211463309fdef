/**
 * Start-up time of `trialgate gateway` as a site runs it: from spawning `node cli/bin/trialgate.js gateway`
 * on an empty data directory to its "listening on" line (stderr), which it writes once the MQTT and HTTP
 * listeners are up (issue 3: "starts in well under a second on an empty data directory"). Each sample is a
 * new process and a new directory; the gateway is then stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** cli/bin/trialgate.js of this checkout, found upwards from this module (source or dist). */
export function trialgateBin(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'cli', 'bin', 'trialgate.js');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cli/bin/trialgate.js not found above the bench');
    dir = parent;
  }
}

/** The environment minus TRIALGATE_* settings, so that only the flags given here apply. */
function withoutGatewaySettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('TRIALGATE_')));
}

/** Milliseconds from spawn to the listening line, once. */
export async function gatewayStartupMs(deadlineMs = 30_000): Promise<number> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bench-startup-'));
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [trialgateBin(), 'gateway', '--data', dataDir, '--origin', 'bench.example/startup/gw-1', '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-port', '0', '--log-level', 'warn'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: withoutGatewaySettings(process.env) },
  );
  try {
    return await new Promise<number>((resolve, reject) => {
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`no listening line within ${deadlineMs} ms`)), deadlineMs);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes(' listening on ')) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`trialgate gateway exited with ${code}: ${stderr.trim().slice(0, 500)}`));
      });
    });
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
