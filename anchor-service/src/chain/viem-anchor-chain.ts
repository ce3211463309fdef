/**
 * The chain port over viem's public client and plain JSON-RPC (HTTP). viem's own retries are off
 * (`retryCount: 0`): the lifecycle retries every step itself with backoff, logs each failure once with the
 * chain it concerns and counts it, so that an RPC outage is visible instead of hidden in a retry loop.
 */
import {
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  BlockNotFoundError,
  createPublicClient,
  http,
  type PublicClient,
} from 'viem';
import { AnchorError, shortMessage } from '../errors/anchor-error.js';
import type { Address, AnchorChain, BroadcastOutcome, ChainBlock, ChainReceipt, Hex } from './anchor-chain.js';

export interface ViemAnchorChainParameters {
  readonly rpcUrl: string;
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
}

export function createViemAnchorChain(parameters: ViemAnchorChainParameters): AnchorChain {
  const client: PublicClient = createPublicClient({
    transport: http(parameters.rpcUrl, { retryCount: 0, timeout: parameters.timeoutMs ?? 10_000 }),
  });
  const endpoint = redactUrl(parameters.rpcUrl);
  const rpc = async <T>(method: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw rpcError(method, endpoint, error);
    }
  };

  return {
    endpoint,
    getChainId: () => rpc('eth_chainId', () => client.getChainId()),
    getBlock: (block) =>
      rpc('eth_getBlockByNumber', async () => {
        try {
          const found =
            typeof block === 'number'
              ? await client.getBlock({ blockNumber: BigInt(block) })
              : await client.getBlock({ blockTag: block });
          if (found.number === null || found.hash === null) return null;
          const result: ChainBlock = {
            number: Number(found.number),
            hash: found.hash,
            baseFeePerGas: found.baseFeePerGas ?? null,
            timestamp: Number(found.timestamp),
          };
          return result;
        } catch (error) {
          if (error instanceof BlockNotFoundError) return null;
          // A node without the `finalized` tag answers with an "invalid block tag"-style error.
          if (typeof block === 'string' && block !== 'latest' && /block tag|unknown block|not supported|invalid/i.test(errorText(error))) {
            return null;
          }
          throw error;
        }
      }),
    getTransactionCount: (address, tag) =>
      rpc('eth_getTransactionCount', () => client.getTransactionCount({ address, blockTag: tag })),
    getBalance: (address) => rpc('eth_getBalance', () => client.getBalance({ address })),
    estimateGas: (request) =>
      rpc('eth_estimateGas', () => client.estimateGas({ account: request.from, to: request.to, data: request.data })),
    getMaxPriorityFeePerGas: () =>
      rpc('eth_maxPriorityFeePerGas', async () => {
        const tip = await client.request({ method: 'eth_maxPriorityFeePerGas' });
        return BigInt(tip);
      }),
    getReceipt: (hash) =>
      rpc('eth_getTransactionReceipt', async () => {
        try {
          const receipt = await client.getTransactionReceipt({ hash });
          const result: ChainReceipt = {
            transactionHash: receipt.transactionHash,
            blockNumber: Number(receipt.blockNumber),
            blockHash: receipt.blockHash,
            status: receipt.status,
          };
          return result;
        } catch (error) {
          if (error instanceof TransactionReceiptNotFoundError || error instanceof TransactionNotFoundError) return null;
          throw error;
        }
      }),
    hasTransaction: (hash) =>
      rpc('eth_getTransactionByHash', async () => {
        try {
          await client.getTransaction({ hash });
          return true;
        } catch (error) {
          if (error instanceof TransactionNotFoundError) return false;
          throw error;
        }
      }),
    sendRawTransaction: async (serialized) => {
      try {
        await client.sendRawTransaction({ serializedTransaction: serialized });
        return 'accepted';
      } catch (error) {
        const outcome = classifyBroadcastError(errorText(error));
        if (outcome !== null) return outcome;
        if (/insufficient funds|exceeds transaction sender account balance|outoffunds/i.test(errorText(error))) {
          throw new AnchorError('E_ANCHORING_INSUFFICIENT_FUNDS', 'the anchoring address cannot pay for the anchor transaction', {
            cause: error,
            details: { endpoint },
          });
        }
        throw rpcError('eth_sendRawTransaction', endpoint, error);
      }
    },
  };
}

/** Node messages (geth, anvil, erigon, nethermind, besu) that mean "these bytes are not new, and that is fine". */
export function classifyBroadcastError(text: string): BroadcastOutcome | null {
  if (/already known|already imported|known transaction|alreadyknown|already exists/i.test(text)) return 'already-known';
  if (/nonce too low|nonce is too low|oldnonce|nonce has already been used/i.test(text)) return 'nonce-used';
  if (/underpriced|replacement fee too low|fee too low to replace/i.test(text)) return 'underpriced';
  return null;
}

function rpcError(method: string, endpoint: string, error: unknown): AnchorError {
  if (error instanceof AnchorError) return error;
  const message = error instanceof Error ? shortMessage(error) : String(error);
  return new AnchorError('E_ANCHORING_RPC', `${method} failed at ${endpoint}: ${message}`, {
    cause: error,
    details: { method, endpoint },
  });
}

/** Every message and `details` along an error's cause chain, for matching node messages. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message);
      const details = (current as { details?: unknown }).details;
      if (typeof details === 'string') parts.push(details);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(' | ');
}

/** An RPC URL often carries an API key in its path or query: log only scheme, host and port. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' || parsed.pathname === '' ? '' : '/…'}`;
  } catch {
    return '(invalid URL)';
  }
}

export type { Address, Hex };
