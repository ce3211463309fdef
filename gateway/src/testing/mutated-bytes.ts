/**
 * Test support for the fuzz tests of the gateway's decoders of outside bytes (every one gets one: arbitrary and
 * mutated inputs throw only typed errors). The inputs: arbitrary bytes, or a valid sample with one to a few of
 * its bytes set to other values, positions taken modulo the sample's length.
 */
import fc from 'fast-check';

/** A byte change: a position (modulo the length of what it is applied to) and the new value. */
export type ByteChange = readonly [at: number, value: number];

export function byteChanges(maxChanges = 4): fc.Arbitrary<readonly ByteChange[]> {
  return fc.array(fc.tuple(fc.nat(1 << 16), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: maxChanges });
}

/** A copy of `bytes` with the changes applied (an empty input stays empty). */
export function withByteChanges(bytes: Uint8Array, changes: readonly ByteChange[]): Uint8Array {
  const copy = bytes.slice();
  if (copy.length === 0) return copy;
  for (const [at, value] of changes) copy[at % copy.length] = value;
  return copy;
}

export interface ArbitraryOrMutatedOptions {
  /** Longest arbitrary input. */
  readonly maxLength: number;
  /** Most bytes changed in a sample (default 4). */
  readonly maxChanges?: number;
}

/** Arbitrary bytes, or one of the valid `samples` with a few bytes changed. */
export function arbitraryOrMutated(samples: readonly Uint8Array[], options: ArbitraryOrMutatedOptions): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: options.maxLength }),
    fc.tuple(fc.constantFrom(...samples), byteChanges(options.maxChanges)).map(([sample, changes]) => withByteChanges(sample, changes)),
  );
}
