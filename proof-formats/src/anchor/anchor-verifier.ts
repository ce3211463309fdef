/**
 * The chain, as the bundle verifier sees it (spec section 6): a port, so that `verifyBundle` stays a plain
 * function and tests can answer without a chain. `createRpcAnchorVerifier` is the JSON-RPC adapter.
 */

/** An anchor as a bundle records it (spec section 8, `checkpoints[].anchors[]`), in checked form. */
export interface AnchorClaim {
  readonly chainId: number;
  /** 0x + 64 hex digits. */
  readonly txHash: `0x${string}`;
  readonly blockNumber: number;
  /** The anchoring address: 0x + 40 hex digits. */
  readonly from: `0x${string}`;
}

/** Stable reasons an anchor fails (each makes the bundle invalid). */
export type AnchorFailureCode =
  | 'E_ANCHOR_TX_NOT_FOUND'
  | 'E_ANCHOR_SENDER'
  | 'E_ANCHOR_DIGEST'
  | 'E_ANCHOR_REVERTED'
  | 'E_ANCHOR_CHAIN_ID'
  | 'E_ANCHOR_BLOCK';

/**
 * - `verified`: every check of section 6 passed and the block is final;
 * - `failed`: a check failed (invalid);
 * - `pending`: the transaction or its block is not final yet (inconclusive);
 * - `unavailable`: the chain could not be asked (RPC errors; inconclusive);
 * - `unchecked`: the anchor is on another chain than the endpoint's (reported as not checked).
 */
export type AnchorCheck =
  | {
      readonly status: 'verified';
      readonly blockHash: `0x${string}`;
      /** The block's timestamp: the checkpoint existed no later than this. */
      readonly blockTimestampMs: number;
      readonly finality: 'finalized-tag' | 'confirmations';
      readonly confirmations: number;
    }
  | { readonly status: 'failed'; readonly code: AnchorFailureCode; readonly message: string }
  | { readonly status: 'pending'; readonly message: string }
  | { readonly status: 'unavailable'; readonly message: string }
  | { readonly status: 'unchecked'; readonly message: string };

export interface AnchorVerifier {
  /** For reports, e.g. `chain 31337 through http://127.0.0.1:8545`. */
  describe(): Promise<string>;
  /** Checks one anchor of a checkpoint whose anchored digest is `digest` (32 bytes). Never throws. */
  checkAnchor(claim: AnchorClaim, digest: Uint8Array): Promise<AnchorCheck>;
}
