import { describe, expect, it } from 'vitest';
import { chance, createRandom, integerBetween, normal, pick } from './random.js';

describe('createRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws floats in [0, 1)', () => {
    const random = createRandom(1);
    for (let i = 0; i < 10_000; i++) {
      const x = random.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('forks streams that do not depend on draws made by the parent afterwards', () => {
    const parent1 = createRandom(7);
    const child1 = parent1.fork();
    const parent2 = createRandom(7);
    const child2 = parent2.fork();
    for (let i = 0; i < 100; i++) parent2.next();
    expect(Array.from({ length: 5 }, () => child1.next())).toEqual(Array.from({ length: 5 }, () => child2.next()));
    expect(child1.next()).not.toEqual(parent1.next());
  });

  it('has helpers whose statistics match their definitions', () => {
    const random = createRandom(3);
    const n = 20_000;
    let sum = 0;
    let sumSq = 0;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const x = normal(random, 10, 2);
      sum += x;
      sumSq += x * x;
      if (chance(random, 0.25)) hits++;
      const k = integerBetween(random, 1, 6);
      expect(k >= 1 && k <= 6 && Number.isInteger(k)).toBe(true);
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(10, 1);
    expect(Math.sqrt(sumSq / n - mean * mean)).toBeCloseTo(2, 1);
    expect(hits / n).toBeCloseTo(0.25, 1);
    expect(() => pick(random, [])).toThrow(RangeError);
  });
});
