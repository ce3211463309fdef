import {
  createConnectToken,
  createDeviceMessage,
  ed25519PublicKey,
  encodeCbor,
  encodeSerialFrame,
  signCoseSign1,
  type DevicePayload,
} from '@trialgate/firmware-protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspect } from './inspect-report.js';

const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 7);
const publicKey = ed25519PublicKey(seed);
const payload: DevicePayload = { v: 1, dev: 'hr-0001', seq: 1, t: 1_767_225_600_000, type: 'heart_rate', data: { bpm: 72 } };
const message = createDeviceMessage({ payload, secretKey: seed });
const problems = (json: Readonly<Record<string, unknown>>): unknown[] => (json['problems'] as unknown[] | undefined) ?? [];

describe('inspect --cose', () => {
  it('reports a clean message: ok, signature not checked without a key', async () => {
    const report = await inspect({ kind: 'cose', bytes: message });
    expect(report.ok).toBe(true);
    expect(report.json).toMatchObject({ kind: 'cose', ok: true, signature: 'not-checked', payload: { dev: 'hr-0001', data: { bpm: 72 } }, flags: [] });
    expect(report.lines.join('\n')).toContain('verdict     OK');
  });

  it('checks the signature with --public-key, and reports a wrong key as a problem', async () => {
    expect((await inspect({ kind: 'cose', bytes: message }, { publicKey })).json['signature']).toBe('valid');
    const wrong = await inspect({ kind: 'cose', bytes: message }, { publicKey: ed25519PublicKey(new Uint8Array(32)) });
    expect(wrong.ok).toBe(false);
    expect(problems(wrong.json)).toMatchObject([{ code: 'E_COSE_SIGNATURE' }]);
  });

  it('lists flags and does not call a flagged message clean', async () => {
    const flagged = createDeviceMessage({ payload: { ...payload, data: { bpm: 400 } }, secretKey: seed });
    const report = await inspect({ kind: 'cose', bytes: flagged });
    expect(report.ok).toBe(false);
    expect(report.json['flags']).toMatchObject([{ code: 'F_IMPLAUSIBLE_VALUE', path: 'data.bpm' }]);
    expect(report.lines.join('\n')).toContain('verdict     FLAGGED');
  });

  it('points at the byte of a payload problem, counted in the whole message', async () => {
    // {"v": 1, "v": 1}: the second "v" is a duplicate key at payload offset 3.
    const bytes = signCoseSign1({ kid: 'hr-0001', payload: Uint8Array.from([0xa2, 0x61, 0x76, 0x01, 0x61, 0x76, 0x01]), secretKey: seed });
    const report = await inspect({ kind: 'cose', bytes });
    const [problem] = problems(report.json) as [{ code: string; offset: number }];
    expect(problem.code).toBe('E_CBOR_DUPLICATE_KEY');
    expect(Array.from(bytes.subarray(problem.offset, problem.offset + 3))).toStrictEqual([0x61, 0x76, 0x01]);
    expect(bytes[problem.offset - 1]).toBe(0x01);
  });

  it('names the field of a schema problem and a kid/dev mismatch', async () => {
    const schema = signCoseSign1({ kid: 'hr-0001', payload: encodeCbor({ v: 1, dev: 'hr-0001', seq: 1, t: 1, type: 'heart_rate', data: { bpm: 'x' } }), secretKey: seed });
    expect(problems((await inspect({ kind: 'cose', bytes: schema })).json)).toMatchObject([{ code: 'E_PAYLOAD_SCHEMA', where: 'payload.data.bpm' }]);
    const impostor = signCoseSign1({ kid: 'hr-0002', payload: encodeCbor({ v: 1, dev: 'hr-0001', seq: 1, t: 1_767_225_600_000, type: 'steps', data: { count: 1, interval_s: 60 } }), secretKey: seed });
    expect(problems((await inspect({ kind: 'cose', bytes: impostor })).json)).toMatchObject([{ code: 'E_KID_MISMATCH' }]);
  });

  it('recognises a connect token', async () => {
    const token = createConnectToken({ deviceId: 'hr-0001', secretKey: seed, issuedAtMs: 1_767_225_600_000 });
    const report = await inspect({ kind: 'cose', bytes: token }, { publicKey });
    expect(report.ok).toBe(true);
    expect(report.json).toMatchObject({ payload: { purpose: 'connect', iat: 1_767_225_600_000 } });
    expect(report.lines.join('\n')).toContain('connect token for "hr-0001", issued at 2026-01-01T00:00:00.000Z');
  });

  it('reports a structural problem with the byte it is at', async () => {
    const report = await inspect({ kind: 'cose', bytes: message.subarray(0, 20) });
    expect(report.ok).toBe(false);
    expect(problems(report.json)).toMatchObject([{ code: 'E_CBOR_TRUNCATED' }]);
    expect(report.lines.join('\n')).toMatch(/at byte \d+:/);
  });
});

describe('inspect --gatt and --frame', () => {
  it('decodes a characteristic value and reports a truncated one', async () => {
    const good = await inspect({ kind: 'gatt', uuid: '2A37', bytes: Uint8Array.from([0x00, 0x48]) });
    expect(good).toMatchObject({ ok: true, json: { value: { heartRateBpm: 72 } } });
    const bad = await inspect({ kind: 'gatt', uuid: '2a37', bytes: Uint8Array.from([0x08, 0x48, 0x0a]) });
    expect(bad.ok).toBe(false);
    expect(problems(bad.json)).toMatchObject([{ code: 'E_GATT_TRUNCATED', offset: 2 }]);
  });

  it('decodes frames down to the device message, and keeps going after a bad one', async () => {
    const frame = encodeSerialFrame(message);
    const broken = encodeSerialFrame(message);
    broken[5]! ^= 0x10;
    const report = await inspect({ kind: 'frame', bytes: Uint8Array.from([...broken, ...frame]) });
    expect(report.ok).toBe(false);
    expect(report.json['frames']).toMatchObject([{ ok: false, problems: [{ code: 'E_FRAME_CRC' }] }, { ok: true, message: { ok: true } }]);
    const single = await inspect({ kind: 'frame', bytes: frame.subarray(0, -1) });
    expect(single.ok).toBe(true);
    expect(single.json['notes']).toHaveLength(1);
  });

  it('never throws on arbitrary input, whatever the kind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('cose', 'frame', '2a37', '2a18', '2a5f'), async (bytes, kind) => {
        const input = kind === 'cose' || kind === 'frame' ? { kind, bytes } : { kind: 'gatt' as const, uuid: kind, bytes };
        const report = await inspect(input, { publicKey });
        expect(typeof report.ok).toBe('boolean');
        expect(() => JSON.stringify(report.json)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
