import { isTrialgateError } from '@trialgate/firmware-protocol';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createNoteSigner } from '../note/note-signer.js';
import { createNoteVerifier } from '../note/note-verifier.js';
import { formatCheckpointBody, parseCheckpointBody } from './checkpoint-body.js';
import { checkpointDigest, checkpointDigestHex } from './checkpoint-digest.js';
import { openCheckpoint, signCheckpoint } from './signed-checkpoint.js';
import { errorCodeOf } from '../testing/error-code-of.js';

const ORIGIN = 'trial.example/site-042/gw-1';
const ROOT = new Uint8Array(32).map((_, i) => i);

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  it('parses the C2SP example body', () => {
    const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    const checkpoint = parseCheckpointBody(body);
    expect(checkpoint.origin).toBe('example.com/behind-the-sofa');
    expect(checkpoint.treeSize).toBe(20852163);
    expect(formatCheckpointBody(checkpoint)).toBe(body);
  });

  it('formats exactly origin, decimal size and base64 root, each on its line', () => {
    expect(formatCheckpointBody({ origin: ORIGIN, treeSize: 0, rootHash: ROOT })).toBe(
      `${ORIGIN}\n0\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n`,
    );
  });

  it('refuses leading zeros, extension lines, short roots, non-canonical base64 and missing lines', () => {
    const root64 = Buffer.from(ROOT).toString('base64');
    for (const body of [
      `${ORIGIN}\n01\n${root64}\n`,
      `${ORIGIN}\n-1\n${root64}\n`,
      `${ORIGIN}\n+1\n${root64}\n`,
      `${ORIGIN}\n1e3\n${root64}\n`,
      `${ORIGIN}\n 1\n${root64}\n`,
      `${ORIGIN}\n99999999999999999999\n${root64}\n`,
      `${ORIGIN}\n1\n${root64}\nextension\n`,
      `${ORIGIN}\n1\n${Buffer.from(ROOT.subarray(1)).toString('base64')}\n`,
      `${ORIGIN}\n1\n${root64.replace('8=', '9=')}\n`,
      `${ORIGIN}\n1\n${root64}`,
      `${ORIGIN}\n1\n`,
      `\n1\n${root64}\n`,
    ]) {
      expect(errorCodeOf(() => parseCheckpointBody(body)), JSON.stringify(body)).toBe('E_CHECKPOINT_MALFORMED');
    }
  });

  it('signs and opens a checkpoint; the digest is SHA-256 of the body, with or without signatures', () => {
    const signer = createNoteSigner(ORIGIN, new Uint8Array(32).fill(3));
    const note = signCheckpoint({ origin: ORIGIN, treeSize: 5, rootHash: ROOT }, [signer]);
    const opened = openCheckpoint(note, [createNoteVerifier(ORIGIN, signer.publicKey)]);
    expect(opened.checkpoint.treeSize).toBe(5);
    const body = formatCheckpointBody({ origin: ORIGIN, treeSize: 5, rootHash: ROOT });
    const expected = createHash('sha256').update(body).digest('hex');
    expect(Buffer.from(checkpointDigest(note)).toString('hex')).toBe(expected);
    expect(checkpointDigestHex(body)).toBe(`0x${expected}`);
  });

  it('parses arbitrary text with typed errors only', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (body) => {
        try {
          const checkpoint = parseCheckpointBody(body);
          expect(formatCheckpointBody(checkpoint)).toBe(body);
        } catch (error) {
          expect(isTrialgateError(error)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
