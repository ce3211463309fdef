import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bumpFee, firstAttemptFees, gasLimitFor, replacementFees } from './fee-policy.js';

const gwei = 1_000_000_000n;

describe('fee policy', () => {
  it('offers 2 x base fee + tip on a first attempt', () => {
    const decision = firstAttemptFees({ baseFeePerGas: 10n * gwei, suggestedTipPerGas: gwei, gas: 26_736n, maxFeeWei: 10n ** 18n });
    expect(decision).toEqual({ kind: 'fees', fees: { maxFeePerGas: 21n * gwei, maxPriorityFeePerGas: gwei } });
  });

  it('caps the first attempt at the maximum fee per anchor, and refuses a cap at or below the base fee', () => {
    const gas = 25_000n;
    const capped = firstAttemptFees({ baseFeePerGas: 10n * gwei, suggestedTipPerGas: gwei, gas, maxFeeWei: gas * 15n * gwei });
    expect(capped).toEqual({ kind: 'fees', fees: { maxFeePerGas: 15n * gwei, maxPriorityFeePerGas: gwei } });
    const refused = firstAttemptFees({ baseFeePerGas: 10n * gwei, suggestedTipPerGas: gwei, gas, maxFeeWei: gas * 10n * gwei });
    expect(refused.kind).toBe('ceiling');
  });

  it('raises both fees of a replacement by at least 12.5%, rounding up', () => {
    expect(bumpFee(8n)).toBe(9n);
    expect(bumpFee(9n)).toBe(11n);
    const previous = { maxFeePerGas: 3n * gwei, maxPriorityFeePerGas: gwei };
    const decision = replacementFees(previous, { baseFeePerGas: gwei, suggestedTipPerGas: gwei, gas: 25_000n, maxFeeWei: 10n ** 18n });
    expect(decision).toEqual({ kind: 'fees', fees: { maxFeePerGas: 3_375_000_000n, maxPriorityFeePerGas: 1_125_000_000n } });
  });

  it('follows a risen base fee when that is more than the bump', () => {
    const previous = { maxFeePerGas: 3n * gwei, maxPriorityFeePerGas: gwei };
    const decision = replacementFees(previous, { baseFeePerGas: 50n * gwei, suggestedTipPerGas: 2n * gwei, gas: 25_000n, maxFeeWei: 10n ** 18n });
    expect(decision).toEqual({ kind: 'fees', fees: { maxFeePerGas: 102n * gwei, maxPriorityFeePerGas: 2n * gwei } });
  });

  it('never exceeds the maximum fee per anchor and never bumps by less than 12.5% (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 13n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        fc.bigInt({ min: 0n, max: 10n ** 11n }),
        fc.bigInt({ min: 21_000n, max: 200_000n }),
        fc.bigInt({ min: 0n, max: 10n ** 19n }),
        (previousMax, previousTipRaw, base, tip, gas, maxFeeWei) => {
          const previous = { maxFeePerGas: previousMax, maxPriorityFeePerGas: previousTipRaw > previousMax ? previousMax : previousTipRaw };
          const decision = replacementFees(previous, { baseFeePerGas: base, suggestedTipPerGas: tip, gas, maxFeeWei });
          if (decision.kind === 'ceiling') return;
          const { maxFeePerGas, maxPriorityFeePerGas } = decision.fees;
          expect(maxFeePerGas * gas <= maxFeeWei).toBe(true);
          expect(maxFeePerGas * 1000n >= previous.maxFeePerGas * 1125n).toBe(true);
          expect(maxPriorityFeePerGas * 1000n >= previous.maxPriorityFeePerGas * 1125n).toBe(true);
          expect(maxPriorityFeePerGas <= maxFeePerGas).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('adds 20% to the gas estimate', () => {
    expect(gasLimitFor(22_280n)).toBe(26_736n);
  });
});
