import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAnchorError } from '../errors/anchor-error.js';
import { createCheckpointSigner, signCheckpoint } from '../testing/signed-checkpoint.js';
import { checkpointBodyOf, checkpointDigestHex, parseVerifierKey } from '@trialgate/proof-formats';
import { decodeCheckpointJob } from './checkpoint-job.js';

const signer = createCheckpointSigner('trial.example/site-042/gw-1');

describe('decodeCheckpointJob', () => {
  it('accepts the job the gateway enqueues and normalises the digest to lower case', () => {
    const { job, digest } = signCheckpoint(signer, 42);
    const decoded = decodeCheckpointJob({ ...job, digest: job.digest.toUpperCase().replace('0X', '0x') });
    expect(decoded.digest).toBe(digest);
    expect(decoded.treeSize).toBe(42);
  });

  it('computes the digest over the body only, up to the newline before the blank line (spec section 6)', () => {
    const { note, body } = signCheckpoint(signer, 7);
    expect(checkpointBodyOf(note)).toBe(body);
    expect(body.endsWith('\n')).toBe(true);
    expect(body.split('\n')).toHaveLength(4);
    expect(checkpointDigestHex(body)).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('refuses a digest that is not SHA-256 of the body', () => {
    const { job } = signCheckpoint(signer, 3);
    const other = signCheckpoint(signer, 4);
    expect(() => decodeCheckpointJob({ ...job, digest: other.digest })).toThrow(
      expect.objectContaining({ code: 'E_ANCHORING_DIGEST_MISMATCH' }),
    );
  });

  it.each([
    ['another origin', (j: Record<string, unknown>) => ({ ...j, origin: 'other.example/gw' })],
    ['another tree size', (j: Record<string, unknown>) => ({ ...j, treeSize: 5 })],
    ['another results queue', (j: Record<string, unknown>) => ({ ...j, resultsQueue: 'tg-anchor-results-0000000000000000' })],
    ['an unknown format', (j: Record<string, unknown>) => ({ ...j, format: 'tg-checkpoint-job/2' })],
    ['a note without signatures', (j: Record<string, unknown>) => ({ ...j, note: String(j['note']).split('\n\n')[0] })],
    ['a fractional tree size', (j: Record<string, unknown>) => ({ ...j, treeSize: 3.5 })],
  ])('refuses a job with %s', (_name, mutate) => {
    const { job } = signCheckpoint(signer, 3);
    expect(() => decodeCheckpointJob(mutate({ ...job }))).toThrow(expect.objectContaining({ code: 'E_ANCHORING_JOB_INVALID' }));
  });

  it('refuses a body with an extension line (spec section 5 allows none)', () => {
    const { job } = signCheckpoint(signer, 3);
    const lines = job.note.split('\n');
    const note = [...lines.slice(0, 3), 'extension', ...lines.slice(3)].join('\n');
    const body = note.slice(0, note.lastIndexOf('\n\n') + 1);
    expect(() => decodeCheckpointJob({ ...job, note, digest: checkpointDigestHex(body) })).toThrow(
      expect.objectContaining({ code: 'E_ANCHORING_JOB_INVALID' }),
    );
  });

  it('with pinned gateway keys, accepts only notes signed by the key named after the origin', () => {
    const { job } = signCheckpoint(signer, 8);
    const pinned = parseVerifierKey(signer.verifierKey);
    const stranger = createCheckpointSigner(signer.origin);
    const other = createCheckpointSigner('other.example/gw');
    expect(decodeCheckpointJob(job, { trustedKeys: [pinned] }).treeSize).toBe(8);
    expect(() => decodeCheckpointJob(signCheckpoint(stranger, 8).job, { trustedKeys: [pinned] })).toThrow(
      expect.objectContaining({ code: 'E_ANCHORING_NOTE_UNVERIFIED' }),
    );
    // A key pinned for another origin does not vouch for this one.
    expect(() => decodeCheckpointJob(job, { trustedKeys: [parseVerifierKey(other.verifierKey)] })).toThrow(
      expect.objectContaining({ code: 'E_ANCHORING_NOTE_UNVERIFIED' }),
    );
    // A forged signature line under the pinned key's name and id.
    const forged = job.note.replace(/ [A-Za-z0-9+/=]+\n$/, ` ${Buffer.alloc(68, 1).toString('base64')}\n`);
    expect(() => decodeCheckpointJob({ ...job, note: forged }, { trustedKeys: [pinned] })).toThrow(
      expect.objectContaining({ code: 'E_ANCHORING_NOTE_UNVERIFIED' }),
    );
  });

  it('never throws anything but AnchorError on arbitrary input (fuzz)', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          decodeCheckpointJob(value);
        } catch (error) {
          expect(isAnchorError(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but AnchorError on mutated valid jobs (fuzz)', () => {
    const { job } = signCheckpoint(signer, 1234);
    const keys = ['format', 'origin', 'treeSize', 'note', 'digest', 'resultsQueue'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...keys),
        fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.constant(undefined)),
        fc.nat({ max: 400 }),
        fc.string({ maxLength: 4 }),
        (key, value, at, insert) => {
          const mutated: Record<string, unknown> = { ...job, [key]: value };
          mutated['note'] = job.note.slice(0, at) + insert + job.note.slice(at + insert.length);
          try {
            const decoded = decodeCheckpointJob(mutated, at % 2 === 0 ? { trustedKeys: [parseVerifierKey(signer.verifierKey)] } : {});
            // Anything accepted must still be a self-consistent checkpoint job.
            expect(checkpointDigestHex(decoded.note)).toBe(decoded.digest);
          } catch (error) {
            expect(isAnchorError(error)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
