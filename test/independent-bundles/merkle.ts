/**
 * Independent implementation (acceptance tests): RFC 9162 section 2.1 Merkle tree hash, audit paths and
 * consistency proofs, straight from the recursive definitions, over the leaves' data.
 */
import { createHash } from 'node:crypto';

function h(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return new Uint8Array(hash.digest());
}

function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

export function mth(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return h();
  if (d.length === 1) return h(Uint8Array.of(0), d[0] as Uint8Array);
  const split = k(d.length);
  return h(Uint8Array.of(1), mth(d.slice(0, split)), mth(d.slice(split)));
}

export function path(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const split = k(d.length);
  return m < split ? [...path(m, d.slice(0, split)), mth(d.slice(split))] : [...path(m - split, d.slice(split)), mth(d.slice(0, split))];
}

function subproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const split = k(d.length);
  return m <= split
    ? [...subproof(m, d.slice(0, split), b), mth(d.slice(split))]
    : [...subproof(m - split, d.slice(split), false), mth(d.slice(0, split))];
}

export function consistency(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  return subproof(m, d, true);
}
