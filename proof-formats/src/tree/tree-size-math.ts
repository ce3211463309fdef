import { ProofFormatError } from '../errors/proof-format-error.js';

/**
 * Integer helpers for tree sizes and indices. Sizes may exceed 2^32, so nothing here uses JavaScript's
 * 32-bit bitwise operators: every value is a non-negative safe integer and shifts are exact divisions.
 */

/** Attacker-controlled numbers (bundle indices, sizes) are checked here before any arithmetic. */
export function assertTreeInteger(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ProofFormatError('E_TREE_ARGUMENT', `${what} must be a non-negative safe integer`, {
      details: { what, value: typeof value === 'number' ? value : String(value) },
    });
  }
}

export function isOdd(value: number): boolean {
  return value % 2 === 1;
}

export function shiftRight(value: number): number {
  return Math.floor(value / 2);
}

export function isPowerOfTwo(value: number): boolean {
  if (value < 1) return false;
  let v = value;
  while (v % 2 === 0) v /= 2;
  return v === 1;
}

/** The largest power of two strictly smaller than `n` (n > 1): RFC 9162's split point k, k < n <= 2k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The largest power of two that is <= n (n >= 1), with its exponent. */
export function highestPowerOfTwo(n: number): { readonly power: number; readonly exponent: number } {
  let power = 1;
  let exponent = 0;
  while (power * 2 <= n) {
    power *= 2;
    exponent += 1;
  }
  return { power, exponent };
}
