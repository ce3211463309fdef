/**
 * Gas per anchor on a real anvil chain (issue 4): the service's plain self-transaction whose input is the
 * 32-byte digest, against a minimal contract that emits an event (anchor-service/contracts, compiled here with
 * the `solc` npm package), plus the contract's deployment and each signed transaction's size (what an L2
 * pays L1 data fees on). Gas is deterministic for a given hardfork (anvil's default; EIP-7623 calldata floor
 * applies), so these rows are the inputs of docs/anchoring.md's cost table, not timings.
 *
 * Run: `npx tsc -b && node bench/dist/suites/anchor.js [--quick]`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPublicClient, encodeFunctionData, http, keccak256, type Abi, type Hex } from 'viem';
import { anchorTransaction, createPrivateKeySigner, gasLimitFor } from '@trialgate/anchor-service';
import { startAnvil, type AnvilProcess } from '@trialgate/anchor-service/testing';
import { describeMachine } from '../lib/machine.js';
import type { Measurement, Suite, SuiteOptions } from '../lib/measurement.js';

const SUITE = 'anchor';
const ANCHORS_PER_DAY = 144; // one every 10 minutes

interface SolcOutput {
  readonly errors?: readonly { readonly severity: string; readonly formattedMessage: string }[];
  readonly contracts: Record<string, Record<string, { readonly abi: Abi; readonly evm: { readonly bytecode: { readonly object: string } } }>>;
}

function compileAnchorContract(): { abi: Abi; bytecode: Hex } {
  const require = createRequire(import.meta.url);
  const solc = require('solc') as { compile(input: string): string };
  const source = readFileSync(fileURLToPath(new URL('../../../anchor-service/contracts/TrialgateAnchor.sol', import.meta.url)), 'utf8');
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: 'Solidity',
        sources: { 'TrialgateAnchor.sol': { content: source } },
        settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
      }),
    ),
  ) as SolcOutput;
  const errors = (output.errors ?? []).filter((error) => error.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((error) => error.formattedMessage).join('\n'));
  const contract = output.contracts['TrialgateAnchor.sol']?.['TrialgateAnchor'];
  if (contract === undefined) throw new Error('TrialgateAnchor not in the solc output');
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

export const run: Suite = async (options: SuiteOptions): Promise<readonly Measurement[]> => {
  const anchors = options.quick ? 10 : 100;
  const anvil: AnvilProcess = await startAnvil();
  try {
    const client = createPublicClient({ transport: http(anvil.url) });
    const signer = createPrivateKeySigner(anvil.accounts[0]?.privateKey ?? '0x');
    const from = signer.address;
    let nonce = 0;
    const send = async (to: Hex | null, data: Hex): Promise<{ gasUsed: bigint; bytes: number; contractAddress: Hex | null }> => {
      const estimate = await client.estimateGas({ account: from, ...(to === null ? {} : { to }), data });
      const block = await client.getBlock();
      const base = block.baseFeePerGas ?? 1_000_000_000n;
      const fees = { maxFeePerGas: 2n * base + 1_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };
      const tx = to === null
        ? { type: 'eip1559' as const, chainId: anvil.chainId, nonce, data, gas: gasLimitFor(estimate), value: 0n, ...fees }
        : anchorTransaction({ chainId: anvil.chainId, from, nonce, gas: gasLimitFor(estimate), fees, digest: data });
      const signed = to === null || to === from ? await signer.sign(tx) : await signer.sign({ ...tx, to });
      nonce += 1;
      const hash = await client.sendRawTransaction({ serializedTransaction: signed.serialized });
      if (hash !== keccak256(signed.serialized)) throw new Error('unexpected transaction hash');
      const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
      if (receipt.status !== 'success') throw new Error('anchor reverted');
      return { gasUsed: receipt.gasUsed, bytes: (signed.serialized.length - 2) / 2, contractAddress: receipt.contractAddress ?? null };
    };
    const digest = (): Hex => `0x${randomBytes(32).toString('hex')}`;
    const average = (values: readonly bigint[]): number => Number(values.reduce((sum, value) => sum + value, 0n)) / values.length;

    const plainGas: bigint[] = [];
    let plainBytes = 0;
    for (let i = 0; i < anchors; i += 1) {
      const sent = await send(from, digest());
      plainGas.push(sent.gasUsed);
      plainBytes = Math.max(plainBytes, sent.bytes);
    }
    const allNonZero = await send(from, `0x${'ab'.repeat(32)}`);

    const { abi, bytecode } = compileAnchorContract();
    const deployed = await send(null, bytecode);
    const contract = deployed.contractAddress;
    if (contract === null) throw new Error('no contract address');
    const contractGas: bigint[] = [];
    let contractBytes = 0;
    for (let i = 0; i < anchors; i += 1) {
      const sent = await send(contract, encodeFunctionData({ abi, functionName: 'anchor', args: [digest()] }));
      contractGas.push(sent.gasUsed);
      contractBytes = Math.max(contractBytes, sent.bytes);
    }

    const params = { anchors, chain: `anvil ${anvil.chainId}` };
    const plainAverage = average(plainGas);
    const contractAverage = average(contractGas);
    return [
      { suite: SUITE, name: 'plain self-transaction, input = digest: gas per anchor (random digests, mean)', value: Math.round(plainAverage), unit: 'gas', params },
      { suite: SUITE, name: 'plain self-transaction: gas per anchor (digest without zero bytes, the maximum)', value: Number(allNonZero.gasUsed), unit: 'gas', params },
      { suite: SUITE, name: 'plain self-transaction: signed transaction size', value: plainBytes, unit: 'bytes', params },
      { suite: SUITE, name: 'contract anchor(bytes32) emitting Anchored: gas per anchor (mean)', value: Math.round(contractAverage), unit: 'gas', params },
      { suite: SUITE, name: 'contract: deployment (once per chain)', value: Number(deployed.gasUsed), unit: 'gas', params },
      { suite: SUITE, name: 'contract: signed transaction size', value: contractBytes, unit: 'bytes', params },
      {
        suite: SUITE,
        name: 'plain self-transaction: gas per day at one anchor every 10 minutes',
        value: Math.round(plainAverage * ANCHORS_PER_DAY),
        unit: 'gas',
        params: { ...params, anchorsPerDay: ANCHORS_PER_DAY },
      },
      {
        suite: SUITE,
        name: 'contract: gas per day at one anchor every 10 minutes',
        value: Math.round(contractAverage * ANCHORS_PER_DAY),
        unit: 'gas',
        params: { ...params, anchorsPerDay: ANCHORS_PER_DAY },
      },
    ];
  } finally {
    await anvil.stop();
  }
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const rows = await run({ quick });
  console.log(JSON.stringify(describeMachine()));
  console.log('| measurement | value | unit |\n|---|---:|---|');
  for (const row of rows) console.log(`| ${row.name} | ${row.value.toLocaleString('en-US')} | ${row.unit} |`);
}
