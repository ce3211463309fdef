import fc from 'fast-check';
import { createEd25519Signer, generateEd25519KeyPair, isTrialgateError } from '@trialgate/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { messageDigest, openAck, signAck } from './ack-message.js';
import type { DownlinkSigner } from './downlink-signer.js';
import { openReminder, signReminder } from './reminder-message.js';
import { openSchedule, signSchedule } from './schedule-message.js';
import { arbitraryOrMutated } from '../testing/mutated-bytes.js';

const origin = 'trial.example/site-042/gw-1';
const keys = generateEd25519KeyPair();
const signerKey = createEd25519Signer(keys.secretKey);
const signer: DownlinkSigner = { origin, publicKey: keys.publicKey, sign: (m) => signerKey.sign(m) };
const expected = { origin, gatewayPublicKey: keys.publicKey, device: 'disp-1' };

describe('ack, schedule and reminder downlinks', () => {
  it('an ack names the digest of the bytes received, the disposition, seq, index and code', () => {
    const digest = messageDigest(new Uint8Array([1, 2, 3]));
    expect(Buffer.from(digest).toString('hex')).toBe('039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81');
    const bytes = signAck({ dev: 'disp-1', t: 10, ack: { digest, disposition: 'logged', seq: 4, index: 17 } }, signer);
    expect(openAck(bytes, expected)).toStrictEqual({ t: 10, digest, disposition: 'logged', seq: 4, index: 17 });
    const refused = signAck({ dev: 'disp-1', t: 11, ack: { digest, disposition: 'quarantined', code: 'E_COSE_SIGNATURE' } }, signer);
    expect(openAck(refused, expected)).toMatchObject({ disposition: 'quarantined', code: 'E_COSE_SIGNATURE' });
    expect(() => openAck(bytes, { ...expected, device: 'disp-2' })).toThrow(/another device/);
  });

  it('a schedule carries its id, version, zone, window and doses; a reminder its dose', () => {
    const schedule = { id: 1, version: 2, tz: 'Europe/Berlin', windowMin: 240, doses: [{ slot: 1, at: '08:00' }, { slot: 2, at: '20:00' }] };
    expect(openSchedule(signSchedule({ dev: 'disp-1', t: 5, schedule }, signer), expected)).toStrictEqual({ t: 5, ...schedule });
    const reminder = { id: 3, slot: 1, scheduled: 1_750_000_000_000, windowEnd: 1_750_014_400_000, n: 1 };
    expect(openReminder(signReminder({ dev: 'disp-1', t: 6, reminder }, signer), expected)).toStrictEqual({ t: 6, ...reminder });
    expect(() => openSchedule(signReminder({ dev: 'disp-1', t: 6, reminder }, signer), expected)).toThrow(/not a valid schedule/);
  });

  it('opening arbitrary or mutated bytes throws only typed errors', () => {
    const valid = [
      signAck({ dev: 'disp-1', t: 1, ack: { digest: new Uint8Array(32), disposition: 'duplicate', seq: 1, index: 2 } }, signer),
      signSchedule({ dev: 'disp-1', t: 1, schedule: { id: 1, version: 1, tz: 'UTC', windowMin: 60, doses: [{ slot: 1, at: '09:30' }] } }, signer),
      signReminder({ dev: 'disp-1', t: 1, reminder: { id: 2, slot: 1, scheduled: 5, windowEnd: 9, n: 1 } }, signer),
    ];
    const openers = [openAck, openSchedule, openReminder];
    fc.assert(
      fc.property(
        arbitraryOrMutated(valid, { maxLength: 400, maxChanges: 3 }),
        fc.nat(2),
        (bytes, which) => {
          try {
            openers[which]?.(bytes, expected);
          } catch (error) {
            expect(isTrialgateError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
