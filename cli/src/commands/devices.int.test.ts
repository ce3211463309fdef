/**
 * `trialgate devices` and `trialgate quarantine` as a site runs them: spawned CLI (built dist/), real data
 * directory, on a stopped gateway and on a running one (through its admin socket).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import { afterEach, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../bin/trialgate.js', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const key = (): string => Buffer.from(generateEd25519KeyPair().publicKey).toString('base64');

describe('trialgate devices and quarantine', () => {
  it('enrol a device that cannot sign without --public-key (ble only), and refuse it any other transport', () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'tg-cli-devices-'));
    const added = cli('devices', 'add', '--data', data, '--id', 'hr-strap-1', '--kind', 'hr-strap', '--transports', 'ble');
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/enrolled hr-strap-1 \(hr-strap, ble, no key: its signed messages are refused\) at log index 0/);
    const defaulted = cli('devices', 'add', '--data', data, '--id', 'ox-1', '--kind', 'oximeter', '--json');
    expect(JSON.parse(defaulted.stdout)).toMatchObject({ device: { id: 'ox-1', public_key: null, transports: ['ble'] } });
    const refused = cli('devices', 'add', '--data', data, '--id', 'cuff-1', '--kind', 'bp-cuff', '--transports', 'ble,mqtt');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/no public key, so it cannot sign and may use only ble \(not mqtt\).*\[E_REGISTRY_INVALID\]/);
    const shown = cli('devices', 'show', '--data', data, 'hr-strap-1');
    expect(shown.stdout).toMatch(/none \(enrolled without a key: it cannot sign\)/);
    expect(cli('devices', 'list', '--data', data).stdout).toMatch(/hr-strap-1 .*- \(none\)/);
  });

  it('manage the registry of a stopped gateway, with exit statuses and messages a site can script against', () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'tg-cli-devices-'));
    const added = cli('devices', 'add', '--data', data, '--id', 'hr-1', '--public-key', key(), '--kind', 'wearable', '--subject', 'SUBJ-0001', '--transports', 'mqtt,serial');
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/enrolled hr-1 \(wearable, mqtt,serial\) at log index 0/);

    const again = cli('devices', 'add', '--data', data, '--id', 'hr-1', '--public-key', key(), '--kind', 'wearable');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already enrolled.*\[E_REGISTRY_DEVICE_EXISTS\]/);

    const file = path.join(data, '..', `${path.basename(data)}.jsonl`);
    writeFileSync(file, `${JSON.stringify({ id: 'w-2', public_key: key(), kind: 'wearable' })}\n{oops\n${JSON.stringify({ id: 'w 3', public_key: key(), kind: 'wearable' })}\n`);
    const refused = cli('devices', 'import', '--data', data, file);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/line 2: not valid JSON/);
    expect(refused.stderr).toMatch(/line 3: a device id must match/);
    writeFileSync(file, `${JSON.stringify({ id: 'w-2', public_key: key(), kind: 'wearable' })}\n`);
    expect(cli('devices', 'import', '--data', data, file).stdout).toMatch(/enrolled 1 device/);

    expect(cli('devices', 'suspend', '--data', data, 'hr-1').status).toBe(0);
    const listed = JSON.parse(cli('devices', 'list', '--data', data, '--json').stdout) as { id: string; status: string }[];
    expect(listed.map((d) => [d.id, d.status])).toEqual([
      ['hr-1', 'suspended'],
      ['w-2', 'active'],
    ]);
    const shown = cli('devices', 'show', '--data', data, 'hr-1');
    expect(shown.stdout).toMatch(/enroll by cli/);
    expect(shown.stdout).toMatch(/suspend by cli/);
    expect(cli('devices', 'assign', '--data', data, 'w-2').status).toBe(1);
    expect(cli('devices', 'retire', '--data', data, '--id', 'w-2').status).toBe(0);
    expect(cli('quarantine', 'list', '--data', data, '--json').stdout.trim()).toBe('[]');
    expect(cli('devices', 'list').stderr).toMatch(/--data DIR/);
    expect(cli('devices', 'list', '--data', path.join(data, 'nope')).stderr).toMatch(/no data directory/);
  });

  it('go through the running gateway, which applies the change at once', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'tg-cli-devices-'));
    const gateway = spawn(process.execPath, [CLI, 'gateway', '--data', data, '--origin', 'test.example/cli', '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-port', '0', '--log-level', 'warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(gateway);
    await new Promise<void>((resolve, reject) => {
      let text = '';
      gateway.stderr?.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('listening on')) resolve();
      });
      gateway.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${text}`)));
    });
    const added = cli('devices', 'add', '--data', data, '--id', 'cuff-1', '--public-key', key(), '--kind', 'bp_cuff');
    expect(added.status, added.stderr).toBe(0);
    expect(JSON.parse(cli('devices', 'show', '--data', data, 'cuff-1', '--json').stdout)).toMatchObject({ id: 'cuff-1', status: 'active' });
    expect(cli('quarantine', 'counts', '--data', data, '--json').status).toBe(0);
    const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => resolve(code)));
    gateway.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
