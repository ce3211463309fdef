import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

/**
 * The simulator's randomness port. Every model draws from one of these, never from `Math.random`, so a run
 * is reproducible from its seed (a fault found by a test can be replayed exactly).
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /**
   * An independent stream derived from this one (a xoroshiro128+ jump of 2^64 draws), for one device or one
   * component: adding a device or a draw in one model does not shift the numbers every other model sees.
   */
  fork(): Random;
}

/** A seeded xoroshiro128+ generator (pure-rand). Any 32-bit integer is a seed; other numbers are truncated. */
export function createRandom(seed: number): Random {
  return new PureRandom(xoroshiro128plus(seed | 0));
}

class PureRandom implements Random {
  private readonly rng: JumpableRandomGenerator;

  constructor(rng: JumpableRandomGenerator) {
    this.rng = rng;
  }

  next(): number {
    return uniformFloat64(this.rng);
  }

  fork(): Random {
    // jump() advances this generator by 2^64 draws; the clone taken before it owns the skipped range.
    const child = this.rng.clone() as JumpableRandomGenerator;
    this.rng.jump();
    return new PureRandom(child);
  }
}

/** A float uniform in [min, max). */
export function uniform(random: Random, min: number, max: number): number {
  return min + (max - min) * random.next();
}

/** An integer uniform in [min, max], both included. */
export function integerBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random.next() * (max - min + 1));
}

/** True with probability `p`. */
export function chance(random: Random, p: number): boolean {
  return random.next() < p;
}

/** A normal deviate (Box-Muller; one of the pair is dropped to keep the generator stateless). */
export function normal(random: Random, mean: number, sd: number): number {
  // 1 - next() is in (0, 1], so the logarithm is finite.
  const u1 = 1 - random.next();
  const u2 = random.next();
  return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** An exponential deviate with the given mean (waiting times of a Poisson process). */
export function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random.next());
}

/** One element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random.next() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

/** `value` limited to [min, max]. */
export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Rounded to `decimals` places, as a device's display resolution would. */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
