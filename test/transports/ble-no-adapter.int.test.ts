/**
 * `trialgate gateway --ble` on a machine without Bluetooth (this one: the HCI socket fails with EAFNOSUPPORT):
 * one clear line with the code, exit status 1, no stack trace. Needs the build (`npx tsc -b`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = path.resolve(import.meta.dirname, '..', '..', 'cli', 'bin', 'trialgate.js');

describe('trialgate gateway --ble without an adapter', () => {
  it('says so in one line and exits 1', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-noble-'));
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [cli, 'gateway', '--data', dir, '--origin', 'test.example/no-ble', '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-port', '0', '--verify-workers', '0', '--log-level', 'silent', '--ble'],
          { timeout: 30_000 },
          (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stderr }),
        );
      });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: the gateway could not start: no Bluetooth adapter: .*\[E_BLE_NO_ADAPTER\]$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
