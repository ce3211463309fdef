/**
 * EIP-1559 fees for an anchor, within the site's maximum fee per anchor.
 *
 * A first attempt offers `2 x base fee + tip` per gas (room for the base fee to rise for several full blocks,
 * as geth's and ethers' defaults do); only `base fee + tip` is paid. A replacement of a stuck transaction
 * must raise both the fee cap and the tip by at least 12.5%: geth's txpool needs 10% (`--txpool.pricebump`),
 * other clients more; 12.5% is also the most the base fee can move per block (EIP-1559), so a bumped
 * transaction keeps pace with a rising base fee. Every value is capped so that `gas x maxFeePerGas` never
 * exceeds the maximum fee per anchor.
 */
export interface Eip1559Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

export interface FeeSituation {
  readonly baseFeePerGas: bigint;
  /** The tip the node suggests (`eth_maxPriorityFeePerGas`). */
  readonly suggestedTipPerGas: bigint;
  readonly gas: bigint;
  /** The most one anchor may cost, in wei (`gas x maxFeePerGas` stays at or below it). */
  readonly maxFeeWei: bigint;
}

/** The bump a replacement needs, in thousandths: 1125 = +12.5%. */
export const REPLACEMENT_BUMP_PER_MILLE = 1125n;

/** `value x 1.125`, rounded up, so a bump never falls short of 12.5% through rounding. */
export function bumpFee(value: bigint): bigint {
  return (value * REPLACEMENT_BUMP_PER_MILLE + 999n) / 1000n;
}

export type FeeDecision =
  | { readonly kind: 'fees'; readonly fees: Eip1559Fees }
  /** The cap leaves no fee that could be included now (first attempt) or no 12.5% bump (replacement). */
  | { readonly kind: 'ceiling'; readonly neededPerGas: bigint; readonly capPerGas: bigint };

export function firstAttemptFees(situation: FeeSituation): FeeDecision {
  const capPerGas = situation.maxFeeWei / situation.gas;
  const desired = 2n * situation.baseFeePerGas + situation.suggestedTipPerGas;
  const maxFeePerGas = min(desired, capPerGas);
  // Below the base fee the transaction cannot be included at all: waiting is cheaper than sending it.
  if (maxFeePerGas <= situation.baseFeePerGas && situation.baseFeePerGas > 0n) {
    return { kind: 'ceiling', neededPerGas: situation.baseFeePerGas + 1n, capPerGas };
  }
  // EIP-1559: maxPriorityFeePerGas may not exceed maxFeePerGas.
  return { kind: 'fees', fees: { maxFeePerGas, maxPriorityFeePerGas: min(situation.suggestedTipPerGas, maxFeePerGas) } };
}

export function replacementFees(previous: Eip1559Fees, situation: FeeSituation): FeeDecision {
  const capPerGas = situation.maxFeeWei / situation.gas;
  const minimumMax = bumpFee(previous.maxFeePerGas);
  const minimumTip = bumpFee(previous.maxPriorityFeePerGas);
  if (minimumMax > capPerGas) return { kind: 'ceiling', neededPerGas: minimumMax, capPerGas };
  const maxFeePerGas = min(max(minimumMax, 2n * situation.baseFeePerGas + situation.suggestedTipPerGas), capPerGas);
  const maxPriorityFeePerGas = min(max(minimumTip, situation.suggestedTipPerGas), maxFeePerGas);
  if (maxPriorityFeePerGas < minimumTip) return { kind: 'ceiling', neededPerGas: minimumTip, capPerGas };
  return { kind: 'fees', fees: { maxFeePerGas, maxPriorityFeePerGas } };
}

/** Gas limit for an anchor: the node's estimate plus 20% (unused gas is not charged; L2 estimates move). */
export function gasLimitFor(estimate: bigint): bigint {
  return (estimate * 120n + 99n) / 100n;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
