/**
 * Test support: a real local EVM chain, anvil from the npm package @foundry-rs/anvil, on a free port
 * (`--port 0`, the port read back from anvil's "Listening on" line). The platform binary is spawned
 * directly (not the package's node wrapper), so that stopping the child stops the chain.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface AnvilAccount {
  readonly address: `0x${string}`;
  readonly privateKey: `0x${string}`;
}

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
  readonly accounts?: number;
  readonly extraArgs?: readonly string[];
}

/** anvil's default mnemonic accounts 0-3 ("test test ... junk"): published development keys. */
const DEV_ACCOUNTS: readonly AnvilAccount[] = [
  { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' },
  { address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', privateKey: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' },
  { address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', privateKey: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' },
  { address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', privateKey: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6' },
];

export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platform = process.platform === 'win32' ? 'win32' : process.platform;
  try {
    const manifest = require.resolve(`@foundry-rs/anvil-${platform}-${arch}/package.json`);
    return path.join(path.dirname(manifest), 'bin', platform === 'win32' ? 'anvil.exe' : 'anvil');
  } catch {
    return 'anvil';
  }
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilProcess> {
  const chainId = options.chainId ?? 31337;
  const args = ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(chainId), '--accounts', String(options.accounts ?? 4)];
  if (options.slotsInAnEpoch !== undefined) args.push('--slots-in-an-epoch', String(options.slotsInAnEpoch));
  if (options.noMining === true) args.push('--no-mining');
  args.push(...(options.extraArgs ?? []));
  const child: ChildProcess = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`anvil did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited with ${code}:\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  // Keep draining its output so the pipe never fills and blocks anvil.
  child.stdout?.resume();
  child.stderr?.resume();
  const url = `http://127.0.0.1:${port}`;
  let id = 0;
  return {
    url,
    port,
    chainId,
    accounts: DEV_ACCOUNTS.slice(0, options.accounts ?? 4),
    async request<T>(method: string, params: readonly unknown[] = []): Promise<T> {
      id += 1;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
      });
      const body = (await response.json()) as { result?: T; error?: { message: string } };
      if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
      return body.result as T;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
