import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_TREE_ROOT, leafHash, nodeHash } from './tree-hashing.js';

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

describe('tree hashing (reused input buffers, one-shot crypto.hash)', () => {
  it('equals SHA-256 with the RFC 9162 prefixes for entries of every size class, interleaved', () => {
    const sizes = [0, 1, 31, 32, 1023, 1024, 1025, 4096, 65_534, 65_535, 65_536, 100_000];
    const results = sizes.map((n) => {
      const entry = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      return { entry, hash: leafHash(entry) };
    });
    // Earlier results are not overwritten by later hashes through a shared buffer.
    for (const { entry, hash } of results) expect(hash).toEqual(sha256(Uint8Array.of(0), entry));
  });

  it('agrees with SHA-256 on arbitrary entries and node pairs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (entry, left, right) => {
        const leaf = leafHash(entry);
        const node = nodeHash(left, right);
        expect(leaf).toEqual(sha256(Uint8Array.of(0), entry));
        expect(node).toEqual(sha256(Uint8Array.of(1), left, right));
        expect(nodeHash(node, leaf)).toEqual(sha256(Uint8Array.of(1), node, leaf));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the empty root and refuses node inputs that are not 32 bytes', () => {
    expect(Buffer.from(EMPTY_TREE_ROOT).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(() => nodeHash(new Uint8Array(31), new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'E_TREE_ARGUMENT' }));
  });
});
