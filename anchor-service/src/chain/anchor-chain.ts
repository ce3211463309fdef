/**
 * The chain port: the few JSON-RPC reads and the one write the anchor lifecycle needs. The adapter over viem
 * is `createViemAnchorChain`; tests run the lifecycle against a real anvil chain through it.
 *
 * Numbers that can exceed 2^53 (wei, gas prices) are bigint; block numbers and nonces are plain numbers
 * (a chain would need 2^53 blocks to overflow them).
 */
export type Hex = `0x${string}`;
export type Address = `0x${string}`;

export interface ChainBlock {
  readonly number: number;
  readonly hash: Hex;
  /** EIP-1559 base fee; null on a chain without it. */
  readonly baseFeePerGas: bigint | null;
  /** Seconds since the Unix epoch. */
  readonly timestamp: number;
}

export interface ChainReceipt {
  readonly transactionHash: Hex;
  readonly blockNumber: number;
  readonly blockHash: Hex;
  readonly status: 'success' | 'reverted';
}

/**
 * What `eth_sendRawTransaction` said about a transaction whose bytes are final (signed and persisted):
 * accepted, or already known to the node (a rebroadcast), or its nonce is used (this or another transaction
 * of ours was mined: the lifecycle then looks at receipts), or the node holds a transaction of that nonce
 * with higher fees (one of our own earlier attempts, or a stranger's). Insufficient funds and every other
 * error are thrown (`AnchorError`).
 */
export type BroadcastOutcome = 'accepted' | 'already-known' | 'nonce-used' | 'underpriced';

export interface AnchorChain {
  /** The RPC endpoint, for log lines (without credentials). */
  readonly endpoint: string;
  getChainId(): Promise<number>;
  /** null: the node does not know that block (or that tag, e.g. `finalized` on a chain without finality). */
  getBlock(block: 'latest' | 'finalized' | number): Promise<ChainBlock | null>;
  getTransactionCount(address: Address, tag: 'latest' | 'pending'): Promise<number>;
  getBalance(address: Address): Promise<bigint>;
  estimateGas(request: { readonly from: Address; readonly to: Address; readonly data: Hex }): Promise<bigint>;
  /** `eth_maxPriorityFeePerGas`, the tip the node suggests. */
  getMaxPriorityFeePerGas(): Promise<bigint>;
  getReceipt(hash: Hex): Promise<ChainReceipt | null>;
  /** Whether the node knows the transaction at all (mined or in its mempool): `eth_getTransactionByHash`. */
  hasTransaction(hash: Hex): Promise<boolean>;
  sendRawTransaction(serialized: Hex): Promise<BroadcastOutcome>;
}
