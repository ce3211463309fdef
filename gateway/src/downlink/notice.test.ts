import fc from 'fast-check';
import { createEd25519Signer, generateEd25519KeyPair, isTrialgateError } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import type { DownlinkSigner } from './downlink-signer.js';
import { openDownlinkMessage } from './downlink-message.js';
import { openNotice, signNotice } from './notice.js';

const origin = 'trial.example/site-042/gw-1';
const keys = generateEd25519KeyPair();
const signerKey = createEd25519Signer(keys.secretKey);
const signer: DownlinkSigner = { origin, publicKey: keys.publicKey, sign: (m) => signerKey.sign(m) };
const expected = { origin, gatewayPublicKey: keys.publicKey, device: 'hr-1' };

describe('notices', () => {
  it('sign and open, with the documented envelope bytes', () => {
    const bytes = signNotice({ dev: 'hr-1', t: 1_750_000_000_000, notice: { code: 'E_SEQ_CONFLICT', message: 'seq reused', disposition: 'quarantined', seq: 7 } }, signer);
    // d2 84 43 a10127 a1 04 58 1b <origin>: tag 18, protected {1:-8}, kid = the origin (27 bytes)
    expect(Buffer.from(bytes.subarray(0, 9)).toString('hex')).toBe('d28443a10127a10458');
    expect(openNotice(bytes, expected)).toEqual({ code: 'E_SEQ_CONFLICT', message: 'seq reused', disposition: 'quarantined', seq: 7, t: 1_750_000_000_000 });
  });

  it('are refused when for another device, from another gateway or badly signed', () => {
    const bytes = signNotice({ dev: 'hr-1', t: 1, notice: { code: 'E_SEQ_DUPLICATE', message: 'm', disposition: 'duplicate' } }, signer);
    expect(() => openNotice(bytes, { ...expected, device: 'hr-2' })).toThrow(/another device/);
    expect(() => openNotice(bytes, { ...expected, origin: 'other/gw' })).toThrow(/not this gateway/);
    expect(() => openNotice(bytes, { ...expected, gatewayPublicKey: generateEd25519KeyPair().publicKey })).toThrow(/signature/);
  });

  it('cut long messages', () => {
    const bytes = signNotice({ dev: 'hr-1', t: 1, notice: { code: 'E_X', message: 'x'.repeat(1000), disposition: 'quarantined' } }, signer);
    expect(openNotice(bytes, expected).message.length).toBe(240);
  });

  it('opening arbitrary or mutated bytes throws only typed errors', () => {
    const valid = signNotice({ dev: 'hr-1', t: 5, notice: { code: 'E_X', message: 'm', disposition: 'quarantined', seq: 1 } }, signer);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }).map((muts) => {
            const copy = valid.slice();
            for (const [at, v] of muts) copy[at] = v;
            return copy;
          }),
        ),
        (bytes) => {
          try {
            openDownlinkMessage(bytes, expected);
          } catch (error) {
            expect(isTrialgateError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
