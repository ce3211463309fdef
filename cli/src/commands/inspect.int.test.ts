import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createDeviceMessage, ed25519PublicKey, encodeSerialFrame } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';

// Runs the built command (`npx tsc -b` first), as a firmware developer would.
const bin = fileURLToPath(new URL('../../bin/trialgate.js', import.meta.url));
const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const result = spawnSync(process.execPath, [bin, 'inspect', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const seed = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const publicKey = Buffer.from(ed25519PublicKey(seed)).toString('base64');
const message = createDeviceMessage({ payload: { v: 1, dev: 'scale-9', seq: 4, t: 1_767_225_600_000, type: 'weight', data: { kg: 80.5 } }, secretKey: seed });

describe('trialgate inspect (spawned CLI)', () => {
  it('exits 0 for a clean, correctly signed message and prints the decoded value as JSON', () => {
    const result = run('--cose', hex(message), '--public-key', publicKey, '--json');
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ ok: true, signature: 'valid', payload: { dev: 'scale-9', data: { kg: 80.5 } }, cose: { kid: 'scale-9', protectedBytes: 'a10127' } });
  });

  it('exits 1 and names the problem for a broken message', () => {
    const result = run('--cose', hex(message.subarray(0, message.length - 3)));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('E_CBOR_TRUNCATED');
    expect(result.stdout).toContain('at byte');
  });

  it('exits 1 for a signature that does not verify', () => {
    const other = Buffer.from(ed25519PublicKey(new Uint8Array(32))).toString('base64');
    const result = run('--cose', hex(message), '--public-key', other);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('E_COSE_SIGNATURE');
  });

  it('decodes GATT values (--gatt UUID HEX) and serial frames', () => {
    const gatt = run('--gatt', '2A1C', '06 73 01 00 ff e9 07 03 0f 0a 1e 00 02', '--json');
    expect(gatt.status).toBe(0);
    expect(JSON.parse(gatt.stdout)).toMatchObject({ value: { temperature: { kind: 'number', value: 37.1 }, temperatureType: { name: 'body' } } });
    const frame = run('--frame', hex(encodeSerialFrame(message)));
    expect(frame.status).toBe(0);
    expect(frame.stdout).toContain('COBS and CRC-32 ok');
  });

  it('exits 2 for usage errors', () => {
    expect(run().status).toBe(2);
    expect(run('--cose', 'xyz').status).toBe(2);
    expect(run('--cose', 'a1', '--frame', '00').status).toBe(2);
    expect(run('--gatt', '2a37').status).toBe(2);
    expect(run('--cose', hex(message), '--public-key', 'AAAA').status).toBe(2);
    expect(run('--no-such-option').status).toBe(2);
  });
});
