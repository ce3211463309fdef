import type * as ViemModule from 'viem';
import type { PublicClient, Transport } from 'viem';
import { toHex } from '../encoding/bytes.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import type { AnchorCheck, AnchorClaim, AnchorVerifier } from './anchor-verifier.js';

export interface RpcAnchorVerifierOptions {
  /** An Ethereum JSON-RPC endpoint (http or https). */
  readonly rpcUrl: string;
  /**
   * Finality by confirmations (the block and N - 1 after it) for chains without the `finalized` block tag.
   * Without it, a block is final once the chain's `finalized` block has reached it.
   */
  readonly confirmations?: number;
  /** Per-request timeout in ms (default 15000). */
  readonly timeoutMs?: number;
  /** For tests: another viem transport. */
  readonly transport?: Transport;
}

type Viem = typeof ViemModule;
let viemLoading: Promise<Viem> | undefined;

/**
 * viem is loaded on first use, not when this module is: it takes about half a second to load, and this
 * module is reached through the package index by everything that imports proof-formats (the gateway, whose
 * start-up must stay well under a second, issue 3), while only `trialgate verify --rpc` and the anchor
 * service's tests ever check an anchor.
 */
function loadViem(): Promise<Viem> {
  viemLoading ??= import('viem');
  return viemLoading;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as { shortMessage?: unknown }).shortMessage;
    return typeof short === 'string' ? short : error.message.split('\n')[0] ?? error.name;
  }
  return String(error);
}

/** The chain id a legacy transaction commits to through `v` (EIP-155: v = chainId * 2 + 35 or 36). */
function legacyChainId(v: bigint | undefined): number | undefined {
  if (v === undefined || v < 35n) return undefined;
  return Number((v - 35n) / 2n);
}

/**
 * Checks anchors through standard JSON-RPC with viem (spec section 6): the transaction exists, was sent from
 * the recorded address, its input contains the 32-byte digest, its receipt says success, its chain id (the
 * endpoint's `eth_chainId` and the transaction's own) is the recorded one, it sits in the recorded block, and
 * that block is final (the `finalized` tag, or `confirmations`). A block not final yet is `pending`
 * (inconclusive, exit 3); an anchor on another chain than the endpoint's is `unchecked`.
 */
export function createRpcAnchorVerifier(options: RpcAnchorVerifierOptions): AnchorVerifier {
  const { rpcUrl, confirmations } = options;
  if (confirmations !== undefined && (!Number.isSafeInteger(confirmations) || confirmations < 1)) {
    throw new ProofFormatError('E_ANCHOR_ARGUMENT', 'confirmations must be a positive integer');
  }
  if (options.transport === undefined && !/^https?:\/\//i.test(rpcUrl)) {
    throw new ProofFormatError('E_ANCHOR_ARGUMENT', 'the RPC URL must start with http:// or https://', {
      details: { rpcUrl },
    });
  }
  let connecting: Promise<{ readonly viem: Viem; readonly client: PublicClient }> | undefined;
  const connect = (): Promise<{ readonly viem: Viem; readonly client: PublicClient }> => {
    connecting ??= loadViem().then((viem) => ({
      viem,
      client: viem.createPublicClient({
        transport: options.transport ?? viem.http(rpcUrl, { timeout: options.timeoutMs ?? 15_000, retryCount: 2 }),
      }),
    }));
    return connecting;
  };
  let chainIdPromise: Promise<number> | undefined;
  const chainId = (): Promise<number> => {
    chainIdPromise ??= connect().then(({ client }) => client.getChainId());
    return chainIdPromise;
  };

  async function checkAnchor(claim: AnchorClaim, digest: Uint8Array): Promise<AnchorCheck> {
    let rpcChainId: number;
    try {
      rpcChainId = await chainId();
    } catch (error) {
      chainIdPromise = undefined;
      return { status: 'unavailable', message: `the RPC endpoint did not answer eth_chainId: ${describeError(error)}` };
    }
    if (claim.chainId !== rpcChainId) {
      return { status: 'unchecked', message: `anchor on chain ${claim.chainId}, the RPC endpoint serves chain ${rpcChainId}` };
    }
    // Resolved already: eth_chainId above went through it.
    const { viem, client } = await connect();
    try {
      const tx = await client.getTransaction({ hash: claim.txHash });
      if (tx.from.toLowerCase() !== claim.from.toLowerCase()) {
        return { status: 'failed', code: 'E_ANCHOR_SENDER', message: `transaction sent from ${tx.from}, not from the recorded ${claim.from}` };
      }
      const txChainId = tx.chainId ?? legacyChainId(tx.v);
      if (txChainId !== claim.chainId) {
        return {
          status: 'failed',
          code: 'E_ANCHOR_CHAIN_ID',
          message: txChainId === undefined ? 'the transaction commits to no chain id (pre-EIP-155)' : `the transaction is for chain ${txChainId}`,
        };
      }
      const digestHex = toHex(digest);
      const input = tx.input.slice(2).toLowerCase();
      let found = false;
      for (let at = input.indexOf(digestHex); at >= 0; at = input.indexOf(digestHex, at + 1)) {
        if (at % 2 === 0) {
          found = true;
          break;
        }
      }
      if (!found) {
        return { status: 'failed', code: 'E_ANCHOR_DIGEST', message: "the transaction's input does not contain the checkpoint digest" };
      }
      if (tx.blockNumber === null || tx.blockHash === null) {
        return { status: 'pending', message: 'the transaction is not in a block yet' };
      }
      if (tx.blockNumber !== BigInt(claim.blockNumber)) {
        return {
          status: 'failed',
          code: 'E_ANCHOR_BLOCK',
          message: `the transaction is in block ${tx.blockNumber.toString()}, not in the recorded block ${claim.blockNumber}`,
        };
      }
      const receipt = await client.getTransactionReceipt({ hash: claim.txHash });
      if (receipt.status !== 'success') {
        return { status: 'failed', code: 'E_ANCHOR_REVERTED', message: 'the transaction reverted (receipt status 0)' };
      }
      const block = await client.getBlock({ blockNumber: tx.blockNumber });
      if (block.hash !== tx.blockHash || receipt.blockHash !== tx.blockHash) {
        return { status: 'pending', message: 'the chain reorganised while checking; try again' };
      }
      const blockTimestampMs = Number(block.timestamp) * 1000;
      if (confirmations !== undefined) {
        const latest = await client.getBlockNumber({ cacheTime: 0 });
        const have = Number(latest - tx.blockNumber) + 1;
        if (have < confirmations) {
          return { status: 'pending', message: `block ${claim.blockNumber} has ${have} of ${confirmations} confirmations` };
        }
        return { status: 'verified', blockHash: tx.blockHash, blockTimestampMs, finality: 'confirmations', confirmations: have };
      }
      let finalized;
      try {
        finalized = await client.getBlock({ blockTag: 'finalized' });
      } catch (error) {
        return {
          status: 'unavailable',
          message: `the chain answered no finalized block (${describeError(error)}); use --confirmations N for a chain without finality`,
        };
      }
      if (finalized.number === null || finalized.number < tx.blockNumber) {
        return {
          status: 'pending',
          message: `block ${claim.blockNumber} is not final yet (the finalized block is ${finalized.number?.toString() ?? 'unknown'})`,
        };
      }
      const latest = await client.getBlockNumber({ cacheTime: 0 });
      return {
        status: 'verified',
        blockHash: tx.blockHash,
        blockTimestampMs,
        finality: 'finalized-tag',
        confirmations: Number(latest - tx.blockNumber) + 1,
      };
    } catch (error) {
      if (error instanceof viem.TransactionNotFoundError || error instanceof viem.TransactionReceiptNotFoundError) {
        return { status: 'failed', code: 'E_ANCHOR_TX_NOT_FOUND', message: `transaction ${claim.txHash} not found on chain ${claim.chainId}` };
      }
      if (error instanceof viem.BlockNotFoundError) {
        return { status: 'pending', message: 'the block was not found; the chain may be reorganising' };
      }
      return { status: 'unavailable', message: `the RPC endpoint failed: ${describeError(error)}` };
    }
  }

  return {
    async describe() {
      try {
        return `chain ${await chainId()} through ${rpcUrl}`;
      } catch {
        chainIdPromise = undefined;
        return `an unreachable RPC endpoint (${rpcUrl})`;
      }
    },
    checkAnchor,
  };
}
