import { describe, expect, it } from 'vitest';
import { createRandom } from '../random/random.js';
import { FAULT_KINDS } from './fault-kind.js';
import { planFaults } from './fault-plan.js';

describe('planFaults', () => {
  it('plans perKind of every kind, in order of time, between 15 % and 75 % of the run', () => {
    const plan = planFaults(FAULT_KINDS, 3, 100_000, createRandom(1));
    expect(plan).toHaveLength(27);
    for (const kind of FAULT_KINDS) expect(plan.filter((p) => p.kind === kind)).toHaveLength(3);
    expect(plan[0]?.atMs).toBe(15_000);
    expect(plan.at(-1)?.atMs).toBe(75_000);
    for (let i = 1; i < plan.length; i++) expect(plan[i]!.atMs).toBeGreaterThan(plan[i - 1]!.atMs);
  });

  it('shuffles by seed', () => {
    const a = planFaults(FAULT_KINDS, 1, 10_000, createRandom(1)).map((p) => p.kind);
    const b = planFaults(FAULT_KINDS, 1, 10_000, createRandom(2)).map((p) => p.kind);
    expect(a).not.toEqual(b);
    expect(planFaults(['oversize'], 1, 10_000, createRandom(1))).toEqual([{ kind: 'oversize', atMs: 1_500 }]);
  });
});
