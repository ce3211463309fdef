import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { isTrialgateError } from '@trialgate/firmware-protocol';
import { decodeDownlinkMessage } from './downlink-message.js';
import { parseGatewayKey } from './gateway-key.js';
import { signDownlinkMessage } from './sign-downlink-message.js';

const ORIGIN = 'trial.example/site-042/gw-1';
const gateway = generateEd25519KeyPair(() => new Uint8Array(32).fill(7));
const other = generateEd25519KeyPair(() => new Uint8Array(32).fill(8));

function vkey(name: string, publicKey: Uint8Array): string {
  const raw = Buffer.concat([Buffer.of(1), publicKey]);
  const id = createHash('sha256').update(Buffer.concat([Buffer.from(name), Buffer.of(0x0a), raw])).digest().subarray(0, 4);
  return `${name}+${id.toString('hex')}+${raw.toString('base64')}`;
}

const notice = signDownlinkMessage({
  origin: ORIGIN,
  secretKey: gateway.secretKey,
  dev: 'SIM-WEA-0001',
  t: 1_760_000_000_000,
  type: 'notice',
  data: { code: 'E_SEQ_CONFLICT', message: 'seq 4 was already logged with other content', disposition: 'quarantined', seq: 4 },
});

describe('parseGatewayKey', () => {
  it('reads a C2SP verifier key and checks its key ID', () => {
    const key = parseGatewayKey(vkey(ORIGIN, gateway.publicKey));
    expect(key.name).toBe(ORIGIN);
    expect(key.publicKey).toEqual(gateway.publicKey);
    const wrongId = vkey(ORIGIN, gateway.publicKey).replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    expect(() => parseGatewayKey(wrongId)).toThrow(expect.objectContaining({ code: 'E_SIM_GATEWAY_KEY_INVALID' }));
  });

  it('reads a raw base64 key and refuses anything else', () => {
    expect(parseGatewayKey(Buffer.from(gateway.publicKey).toString('base64')).name).toBeUndefined();
    for (const bad of ['', 'abc', 'a+b+c', `${ORIGIN}+zzzzzzzz+AAAA`, Buffer.alloc(31).toString('base64')]) {
      expect(() => parseGatewayKey(bad)).toThrow(expect.objectContaining({ code: 'E_SIM_GATEWAY_KEY_INVALID' }));
    }
  });
});

describe('decodeDownlinkMessage', () => {
  const verifier = parseGatewayKey(vkey(ORIGIN, gateway.publicKey)).verifier;

  it('accepts a notice signed by the gateway for this device', () => {
    const message = decodeDownlinkMessage(notice, verifier, 'SIM-WEA-0001');
    expect(message).toEqual({
      kid: ORIGIN,
      gw: ORIGIN,
      dev: 'SIM-WEA-0001',
      t: 1_760_000_000_000,
      type: 'notice',
      data: { code: 'E_SEQ_CONFLICT', message: 'seq 4 was already logged with other content', disposition: 'quarantined', seq: 4 },
    });
  });

  it('refuses another key, another addressee and altered bytes, by reason', () => {
    const forged = signDownlinkMessage({ origin: ORIGIN, secretKey: other.secretKey, dev: 'SIM-WEA-0001', t: 1, type: 'notice', data: {} });
    expect(() => decodeDownlinkMessage(forged, verifier, 'SIM-WEA-0001')).toThrow(
      expect.objectContaining({ details: { reason: 'signature' } }),
    );
    expect(() => decodeDownlinkMessage(notice, verifier, 'SIM-WEA-0002')).toThrow(
      expect.objectContaining({ details: { reason: 'addressee' } }),
    );
    const altered = Uint8Array.from(notice);
    altered[altered.length - 70] = (altered[altered.length - 70] ?? 0) ^ 1;
    expect(() => decodeDownlinkMessage(altered, verifier, 'SIM-WEA-0001')).toThrow(
      expect.objectContaining({ code: 'E_SIM_DOWNLINK_INVALID' }),
    );
  });

  it('never throws anything but its typed error on arbitrary or mutated input', () => {
    const check = (bytes: Uint8Array): void => {
      try {
        decodeDownlinkMessage(bytes, verifier, 'SIM-WEA-0001');
      } catch (error) {
        expect(isTrialgateError(error) && (error as { code: string }).code === 'E_SIM_DOWNLINK_INVALID').toBe(true);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), check), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(notice.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(notice.length), (edits, cut) => {
        const mutated = Uint8Array.from(notice);
        for (const [at, value] of edits) mutated[at] = value;
        check(mutated);
        check(mutated.subarray(0, cut));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseGatewayKey on arbitrary input', () => {
  it('returns a key or throws E_SIM_GATEWAY_KEY_INVALID, nothing else', () => {
    const good = vkey(ORIGIN, gateway.publicKey);
    const check = (text: string): void => {
      try {
        parseGatewayKey(text);
      } catch (error) {
        expect((error as { code?: string }).code).toBe('E_SIM_GATEWAY_KEY_INVALID');
      }
    };
    fc.assert(fc.property(fc.string({ maxLength: 120 }), check), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.string({ minLength: 0, maxLength: 3 }), (at, insert) => {
        check(good.slice(0, at) + insert + good.slice(at + 1));
      }),
      { numRuns: 2000 },
    );
  });
});
