import { spawn, type ChildProcess } from 'node:child_process';
import { findAnvilBinary } from '../anchor/anvil-binary.js';

/**
 * Test support: a real local EVM chain, anvil from the npm package @foundry-rs/anvil, on a free port
 * (`--port 0`; the port is read back from anvil's "Listening on" line). The platform binary is spawned
 * directly, so stopping this child (by its own handle, never by name) stops the chain. No vitest here: it is
 * also exported alone (`@trialgate/proof-formats/testing/anvil`), for anchor-service's helpers and benchmarks.
 */
export interface LocalAnvilAccount {
  readonly address: `0x${string}`;
  readonly privateKey: `0x${string}`;
}

export interface LocalAnvil {
  readonly rpcUrl: string;
  readonly port: number;
  readonly chainId: number;
  /** anvil's published development keys (never real ones), as many as asked for. */
  readonly accounts: readonly LocalAnvilAccount[];
  /** A raw JSON-RPC call (evm_mine, anvil_*, eth_*); rejects on a JSON-RPC error. */
  request<T = unknown>(method: string, params?: readonly unknown[]): Promise<T>;
  stop(): Promise<void>;
}

export interface StartLocalAnvilOptions {
  readonly chainId?: number;
  /** anvil's `finalized` block trails the head by twice this many blocks (measured with anvil 1.7.1; default 32). */
  readonly slotsInAnEpoch?: number;
  /** Start without automine (transactions wait in the mempool until `evm_mine`). */
  readonly noMining?: boolean;
  /** Development accounts, 1-4 (default 2). */
  readonly accounts?: number;
  readonly extraArgs?: readonly string[];
}

/** anvil's default mnemonic accounts 0-3 ("test test ... junk"): published development keys. */
const DEV_ACCOUNTS: readonly LocalAnvilAccount[] = [
  { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' },
  { address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', privateKey: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' },
  { address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', privateKey: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' },
  { address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', privateKey: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6' },
];

export async function startLocalAnvil(options: StartLocalAnvilOptions = {}): Promise<LocalAnvil> {
  const chainId = options.chainId ?? 31337;
  const accounts = options.accounts ?? 2;
  const args = ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(chainId), '--accounts', String(accounts)];
  if (options.slotsInAnEpoch !== undefined) args.push('--slots-in-an-epoch', String(options.slotsInAnEpoch));
  if (options.noMining === true) args.push('--no-mining');
  args.push(...(options.extraArgs ?? []));
  // Not found: spawn fails with ENOENT, which says what is missing.
  const child: ChildProcess = spawn(findAnvilBinary() ?? 'anvil', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`anvil did not start within 20 s:\n${output}`));
    }, 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        // Keep draining its output so the pipe never fills and blocks anvil.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited with ${String(code)}:\n${output}`));
    });
  });
  const rpcUrl = `http://127.0.0.1:${port}`;
  let id = 0;
  async function request<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    id += 1;
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }
  return {
    rpcUrl,
    port,
    chainId,
    accounts: DEV_ACCOUNTS.slice(0, accounts),
    request,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
