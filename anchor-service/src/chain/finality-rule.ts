/**
 * When an included anchor is final (spec section 6): its block is at or below the chain's `finalized` block
 * (post-merge Ethereum and chains that expose the tag), or, on a chain without finality, it has N
 * confirmations. A block's confirmations count the block itself: the newest block has 1 (the convention of
 * geth, ethers and viem's `waitForTransactionReceipt({ confirmations })`).
 */
export type FinalityRule =
  | { readonly kind: 'finalized' }
  | { readonly kind: 'confirmations'; readonly confirmations: number };

export function confirmationsOf(blockNumber: number, latestBlockNumber: number): number {
  return Math.max(0, latestBlockNumber - blockNumber + 1);
}

export function describeFinality(rule: FinalityRule): string {
  return rule.kind === 'finalized' ? 'finalized tag' : `${rule.confirmations} confirmations`;
}
