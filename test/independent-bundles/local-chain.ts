/**
 * Independent of Trialgate's packages: a local anvil chain on a free port for the anchor acceptance test, and
 * a raw transaction carrying a digest in its input, sent with viem (as any anchoring tool could).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createPublicClient, createWalletClient, defineChain, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

/** anvil's published development key 0 (never a real key). */
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

export interface Chain {
  readonly rpcUrl: string;
  readonly chainId: number;
  mine(blocks: number): Promise<void>;
  /** Sends `0x` + `hexData` from the development account; resolves once it is in a block. */
  send(hexData: string): Promise<{ txHash: string; blockNumber: number; from: string }>;
  stop(): Promise<void>;
}

export async function startChain(slotsInAnEpoch: number): Promise<Chain> {
  const require = createRequire(import.meta.url);
  const binary = path.join(path.dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin', 'anvil');
  const child = spawn(binary, ['--host', '127.0.0.1', '--port', '0', '--slots-in-an-epoch', String(slotsInAnEpoch)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`anvil did not start: ${out}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (match !== null) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('error', reject);
  });
  child.stdout.resume();
  child.stderr.resume();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const chain = defineChain({ id: 31337, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
  const account = privateKeyToAccount(DEV_KEY);
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const reader = createPublicClient({ chain, transport: http(rpcUrl) });
  return {
    rpcUrl,
    chainId: 31337,
    async mine(blocks) {
      for (let i = 0; i < blocks; i++) {
        await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'evm_mine', params: [] }) });
      }
    },
    async send(hexData) {
      const txHash = await wallet.sendTransaction({ to: account.address, data: `0x${hexData}` as Hex });
      const receipt = await reader.waitForTransactionReceipt({ hash: txHash, pollingInterval: 50 });
      return { txHash, blockNumber: Number(receipt.blockNumber), from: account.address };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
