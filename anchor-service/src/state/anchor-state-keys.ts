/**
 * Redis key names of the anchor state, under one prefix (default `bull:tg-anchor`, beside BullMQ's own keys).
 * Origins appear through `originTag` (a SHA-256 prefix), so no key holds characters Redis tooling dislikes.
 *
 *   <prefix>:rec:<chainId>:<originTag>:<treeSize>   JSON AnchorRecord
 *   <prefix>:newest:<chainId>:<originTag>           newest tree size offered (decimal)
 *   <prefix>:last:<chainId>:<originTag>             ms since the epoch of the last claim (decimal)
 *   <prefix>:nonce:<chainId>:<address lower-case>   next nonce to use (decimal)
 */
import { originTag } from '@trialgate/proof-formats';
import type { Address } from '../chain/anchor-chain.js';

export interface AnchorStateKeys {
  record(chainId: number, origin: string, treeSize: number): string;
  newest(chainId: number, origin: string): string;
  lastClaim(chainId: number, origin: string): string;
  nonce(chainId: number, address: Address): string;
}

export function anchorStateKeys(prefix: string): AnchorStateKeys {
  return {
    record: (chainId, origin, treeSize) => `${prefix}:rec:${chainId}:${originTag(origin)}:${treeSize}`,
    newest: (chainId, origin) => `${prefix}:newest:${chainId}:${originTag(origin)}`,
    lastClaim: (chainId, origin) => `${prefix}:last:${chainId}:${originTag(origin)}`,
    nonce: (chainId, address) => `${prefix}:nonce:${chainId}:${address.toLowerCase()}`,
  };
}
