import { bytesEqual } from '../encoding/bytes.js';
import { inclusionProofLength } from './inclusion-proof.js';
import { HASH_SIZE, nodeHash } from './tree-hashing.js';
import { isOdd, shiftRight } from './tree-size-math.js';

/**
 * Inclusion proofs against one checkpoint, verified with the RFC 9162 section 2.1.3.2 walk, remembering the
 * last walk that reached the root so that the next one can stop where it joins it.
 *
 * Why it is exact, not an approximation: at the top of each iteration of step 4 the rest of the walk depends
 * only on `fn`, `sn`, `r` and the proof hashes not yet consumed. For one tree size, `sn` is `(size - 1)`
 * shifted right as many times as `fn` was (`shift`), so a state is `(shift, fn, r)`. When a new walk reaches a
 * state the remembered walk went through, with the same remaining proof hashes, the rest of the new walk
 * repeats the remembered computation step for step and ends at the same `r`: the verified root. So stopping
 * there gives the answer the full walk gives; no hash-collision argument is needed.
 *
 * A bundle's entries come in log order, so consecutive leaves share all but the lowest levels of their
 * paths: about two node hashes per entry instead of log2(size).
 *
 * The cache only ever accepts: `verify` answers false both for a proof that fails and for one it did not
 * manage to decode, and the caller then runs the plain `verifyInclusionProof`, which gives the error.
 *
 * Proof hashes are given as tokens (the bundle's base64 text) and decoded lazily by `decode`, so the hashes
 * of the shared part of a path are never decoded: equal tokens decode to equal bytes, and a token equal to
 * one that decoded before decodes again. `decode` must answer `undefined` for any token the plain path would
 * refuse (for base64: anything but the canonical encoding of 32 bytes).
 */
/** Enough for any tree of up to 2^53 leaves (a walk shifts at most 53 times). */
const MAX_SHIFT = 64;

export class VerifiedPathCache<Token> {
  // The last walk that reached the root, by shift: the iteration at whose top the walk had that shift (-1:
  // none), and its fn and r there; and the walk's proof.
  private readonly stepAt = new Int32Array(MAX_SHIFT).fill(-1);
  private readonly fnAt = new Float64Array(MAX_SHIFT);
  private readonly rAt: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(MAX_SHIFT).fill(undefined);
  private lastProof: readonly Token[] = [];
  // The walk under way, by iteration (committed only once it reaches the root).
  private readonly walkShift = new Int32Array(MAX_SHIFT);
  private readonly walkFn = new Float64Array(MAX_SHIFT);
  private readonly walkR: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(MAX_SHIFT).fill(undefined);

  constructor(
    readonly size: number,
    readonly root: Uint8Array,
    private readonly decode: (token: Token) => Uint8Array | undefined,
  ) {}

  /**
   * True when `proof` proves `leafHash` at `index` in the tree of `this.size` leaves with root `this.root`,
   * exactly as `verifyInclusionProof` would accept it. False when it does not, or could not tell (a token
   * `decode` refused): run the plain check for the error.
   */
  verify(index: number, leafHash: Uint8Array, proof: readonly Token[]): boolean {
    const size = this.size;
    // Step 1 and the exact proof length, as rootFromInclusionProof checks them before walking.
    if (!Number.isSafeInteger(index) || index < 0 || !Number.isSafeInteger(size) || index >= size) return false;
    if (leafHash.length !== HASH_SIZE || this.root.length !== HASH_SIZE) return false;
    if (proof.length !== inclusionProofLength(index, size) || proof.length > MAX_SHIFT) return false;
    // Step 2.
    let fn = index;
    let sn = size - 1;
    let shift = 0;
    // Step 3.
    let r = leafHash;
    // Step 4.
    for (let k = 0; k < proof.length; k++) {
      if (this.joins(shift, fn, r, proof, k)) {
        this.commitJoined(k, shift, proof);
        return true;
      }
      this.walkShift[k] = shift;
      this.walkFn[k] = fn;
      this.walkR[k] = r;
      const p = this.decode(proof[k] as Token);
      if (p === undefined || p.length !== HASH_SIZE) return false;
      // 4a.
      if (sn === 0) return false;
      if (isOdd(fn) || fn === sn) {
        // 4b.i
        r = nodeHash(p, r);
        // 4b.ii
        while (!isOdd(fn) && fn !== 0) {
          fn = shiftRight(fn);
          sn = shiftRight(sn);
          shift += 1;
        }
      } else {
        r = nodeHash(r, p);
      }
      // 4c.
      fn = shiftRight(fn);
      sn = shiftRight(sn);
      shift += 1;
    }
    // Step 5.
    if (sn !== 0 || !bytesEqual(r, this.root)) return false;
    this.commit(proof.length, proof);
    return true;
  }

  /** Whether the state (shift, fn, r) with `proof[k..]` still to consume is one the last walk went through. */
  private joins(shift: number, fn: number, r: Uint8Array, proof: readonly Token[], k: number): boolean {
    const j = shift < MAX_SHIFT ? (this.stepAt[shift] ?? -1) : -1;
    if (j < 0 || this.fnAt[shift] !== fn) return false;
    const last = this.lastProof;
    if (proof.length - k !== last.length - j) return false;
    for (let m = 0; k + m < proof.length; m++) if (proof[k + m] !== last[j + m]) return false;
    const known = this.rAt[shift];
    return known !== undefined && bytesEqual(known, r);
  }

  /** The walk under way reached the root by itself: it replaces the last one. */
  private commit(iterations: number, proof: readonly Token[]): void {
    this.stepAt.fill(-1);
    this.rAt.fill(undefined);
    this.record(iterations);
    this.lastProof = proof;
  }

  /**
   * The walk under way joined the last one at its iteration `k`, at `shift`: from there on it is the last walk
   * (renumbered), below it the new iterations.
   */
  private commitJoined(k: number, shift: number, proof: readonly Token[]): void {
    const delta = k - (this.stepAt[shift] ?? 0);
    for (let s = 0; s < MAX_SHIFT; s++) {
      const step = this.stepAt[s] ?? -1;
      if (s < shift) {
        this.stepAt[s] = -1;
        this.rAt[s] = undefined;
      } else if (step >= 0) {
        this.stepAt[s] = step + delta;
      }
    }
    this.record(k);
    this.lastProof = proof;
  }

  private record(iterations: number): void {
    for (let i = 0; i < iterations; i++) {
      const s = this.walkShift[i] ?? 0;
      this.stepAt[s] = i;
      this.fnAt[s] = this.walkFn[i] ?? 0;
      this.rAt[s] = this.walkR[i];
      this.walkR[i] = undefined;
    }
  }
}
