/**
 * Test support: a real local EVM chain on a free port, in the shape anchor-service's tests use (`url`, four
 * development accounts by default). The process itself is proof-formats' `startLocalAnvil` (one way to find,
 * spawn, read back the port of and stop anvil), imported from its vitest-free subpath so that benchmarks can
 * use this too.
 */
import { startLocalAnvil, type LocalAnvilAccount } from '@trialgate/proof-formats/testing/anvil';

export type AnvilAccount = LocalAnvilAccount;

export interface AnvilProcess {
  readonly url: string;
  readonly port: number;
  readonly chainId: number;
  /** anvil's well-known development accounts (public test keys, never real ones). */
  readonly accounts: readonly AnvilAccount[];
  /** A raw JSON-RPC call (anvil_*, evm_*, eth_*); rejects on a JSON-RPC error. */
  request<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  stop(): Promise<void>;
}

export interface StartAnvilOptions {
  readonly chainId?: number;
  /** `finalized` lags the head by about 2 x this many blocks (default anvil's 32). */
  readonly slotsInAnEpoch?: number;
  /** Start without automine (transactions wait in the mempool until `evm_mine`). */
  readonly noMining?: boolean;
  /** Development accounts, 1-4 (default 4). */
  readonly accounts?: number;
  readonly extraArgs?: readonly string[];
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilProcess> {
  const anvil = await startLocalAnvil({ ...options, accounts: options.accounts ?? 4 });
  return {
    url: anvil.rpcUrl,
    port: anvil.port,
    chainId: anvil.chainId,
    accounts: anvil.accounts,
    request: anvil.request,
    stop: anvil.stop,
  };
}
