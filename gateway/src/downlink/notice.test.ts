import fc from 'fast-check';
import { createEd25519Signer, generateEd25519KeyPair, isTrialgateError } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import type { DownlinkSigner } from './downlink-signer.js';
import { openDownlinkMessage } from './downlink-message.js';
import { openNotice, signNotice } from './notice.js';
import { arbitraryOrMutated } from '../testing/mutated-bytes.js';

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

  it('matches the worked example of docs/device-downlink.md byte for byte', () => {
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
    const key = createEd25519Signer(seed);
    const docSigner: DownlinkSigner = { origin, publicKey: key.publicKey, sign: (m) => key.sign(m) };
    const bytes = signNotice(
      {
        dev: 'hr-0001',
        t: 1_767_225_600_000,
        notice: {
          code: 'E_SEQ_CONFLICT',
          message: 'seq 7 of device hr-0001 is already logged (entry 41) with other content: a seq is never reused',
          disposition: 'quarantined',
          seq: 7,
        },
      },
      docSigner,
    );
    expect(Buffer.from(key.publicKey).toString('hex')).toBe('03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8');
    expect(Buffer.from(bytes).toString('hex')).toBe(
      'd28443a10127a104581b747269616c2e6578616d706c652f736974652d3034322f67772d3158e6a6617601626777781b747269616c2e' +
        '6578616d706c652f736974652d3034322f67772d31636465766768722d3030303161741b0000019b76daa8006474797065666e6f7469' +
        '63656464617461a464636f64656e455f5345515f434f4e464c494354676d657373616765785e7365712037206f662064657669636520' +
        '68722d3030303120697320616c7265616479206c6f676765642028656e747279203431292077697468206f7468657220636f6e74656e' +
        '743a206120736571206973206e65766572207265757365646b646973706f736974696f6e6b71756172616e74696e6564637365710758' +
        '40045fa987aa150a926e8367fb23f5862fa7ce0689f67da3581fa05f4a501badc8fbb969208e701fa2c3bcfca8791e8a12b51d801bb0' +
        '6e9d634d6f0704278abb08',
    );
  });

  it('cut long messages', () => {
    const bytes = signNotice({ dev: 'hr-1', t: 1, notice: { code: 'E_X', message: 'x'.repeat(1000), disposition: 'quarantined' } }, signer);
    expect(openNotice(bytes, expected).message.length).toBe(240);
  });

  it('opening arbitrary or mutated bytes throws only typed errors', () => {
    const valid = signNotice({ dev: 'hr-1', t: 5, notice: { code: 'E_X', message: 'm', disposition: 'quarantined', seq: 1 } }, signer);
    fc.assert(
      fc.property(
        arbitraryOrMutated([valid], { maxLength: 400, maxChanges: 3 }),
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
