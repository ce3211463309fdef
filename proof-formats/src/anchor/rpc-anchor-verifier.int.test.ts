import { createPublicClient, createWalletClient, defineChain, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../encoding/bytes.js';
import { startLocalAnvil, type LocalAnvil } from '../testing/anvil-process.js';
import type { AnchorClaim } from './anchor-verifier.js';
import { createRpcAnchorVerifier } from './rpc-anchor-verifier.js';

/**
 * The JSON-RPC anchor verifier against a real anvil chain. With `--slots-in-an-epoch 2`, anvil's `finalized`
 * block trails the head by 2 x 2 blocks (measured), so an anchor becomes final four blocks later.
 */
let anvil: LocalAnvil;
const SLOTS = 2;

async function mine(blocks: number): Promise<void> {
  for (let i = 0; i < blocks; i++) await anvil.request('evm_mine');
}

function digestOf(label: string): Uint8Array {
  return new Uint8Array(Buffer.from(label.padEnd(32, '.').slice(0, 32)));
}

/** Sends a raw, locally signed transaction whose input is `prefix || digest`, as an anchor worker would. */
async function sendAnchor(digest: Uint8Array, options: { account?: 0 | 1; to?: `0x${string}`; gas?: bigint } = {}): Promise<AnchorClaim> {
  const chain = defineChain({
    id: anvil.chainId,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  });
  const signer = anvil.accounts[options.account ?? 0];
  if (signer === undefined) throw new Error('no account');
  const account = privateKeyToAccount(signer.privateKey);
  const wallet = createWalletClient({ account, chain, transport: http(anvil.rpcUrl) });
  const data = `0x74670001${toHex(digest)}` as Hex;
  const txHash = await wallet.sendTransaction({
    to: options.to ?? account.address,
    data,
    ...(options.gas === undefined ? {} : { gas: options.gas }),
  });
  const receipt = await createPublicClient({ chain, transport: http(anvil.rpcUrl) }).waitForTransactionReceipt({ hash: txHash, pollingInterval: 50 });
  return { chainId: anvil.chainId, txHash, blockNumber: Number(receipt.blockNumber), from: account.address };
}

beforeAll(async () => {
  anvil = await startLocalAnvil({ slotsInAnEpoch: SLOTS });
});

afterAll(async () => {
  await anvil?.stop();
});

describe('createRpcAnchorVerifier against a real anvil chain', () => {
  it('verifies an anchor once its block is final, and is pending before', async () => {
    const digest = digestOf('final anchor');
    const claim = await sendAnchor(digest);
    const verifier = createRpcAnchorVerifier({ rpcUrl: anvil.rpcUrl });
    expect(await verifier.describe()).toBe(`chain ${anvil.chainId} through ${anvil.rpcUrl}`);
    const early = await verifier.checkAnchor(claim, digest);
    expect(early.status).toBe('pending');
    await mine(2 * SLOTS);
    const late = await verifier.checkAnchor(claim, digest);
    expect(late).toMatchObject({ status: 'verified', finality: 'finalized-tag' });
    if (late.status === 'verified') expect(late.blockTimestampMs).toBeGreaterThan(1_600_000_000_000);
  });

  it('with --confirmations, counts confirmations instead of the finalized tag', async () => {
    const digest = digestOf('confirmations');
    const claim = await sendAnchor(digest);
    const verifier = createRpcAnchorVerifier({ rpcUrl: anvil.rpcUrl, confirmations: 3 });
    expect((await verifier.checkAnchor(claim, digest)).status).toBe('pending');
    await mine(2);
    expect(await verifier.checkAnchor(claim, digest)).toMatchObject({ status: 'verified', finality: 'confirmations', confirmations: 3 });
  });

  it('fails a transaction whose input lacks the digest, from another sender, or in another block', async () => {
    const digest = digestOf('the real digest');
    const claim = await sendAnchor(digest);
    await mine(2 * SLOTS);
    const verifier = createRpcAnchorVerifier({ rpcUrl: anvil.rpcUrl });
    expect(await verifier.checkAnchor(claim, digestOf('another digest'))).toMatchObject({ status: 'failed', code: 'E_ANCHOR_DIGEST' });
    expect(await verifier.checkAnchor({ ...claim, from: anvil.accounts[1]?.address ?? '0x' }, digest)).toMatchObject({ status: 'failed', code: 'E_ANCHOR_SENDER' });
    expect(await verifier.checkAnchor({ ...claim, blockNumber: claim.blockNumber + 1 }, digest)).toMatchObject({ status: 'failed', code: 'E_ANCHOR_BLOCK' });
  });

  it('fails a transaction that does not exist and one that reverted', async () => {
    const verifier = createRpcAnchorVerifier({ rpcUrl: anvil.rpcUrl });
    const digest = digestOf('missing');
    const missing: AnchorClaim = { chainId: anvil.chainId, txHash: `0x${'ab'.repeat(32)}`, blockNumber: 1, from: anvil.accounts[0]?.address ?? '0x' };
    expect(await verifier.checkAnchor(missing, digest)).toMatchObject({ status: 'failed', code: 'E_ANCHOR_TX_NOT_FOUND' });
    // A contract whose code is PUSH1 0 PUSH1 0 REVERT: every call to it reverts.
    const reverter = `0x${'ee'.repeat(20)}` as const;
    await anvil.request('anvil_setCode', [reverter, '0x60006000fd']);
    const reverted = digestOf('reverted');
    const claim = await sendAnchor(reverted, { to: reverter, gas: 100_000n });
    await mine(2 * SLOTS);
    expect(await verifier.checkAnchor(claim, reverted)).toMatchObject({ status: 'failed', code: 'E_ANCHOR_REVERTED' });
  });

  it('leaves anchors of another chain unchecked, and says so when the endpoint is unreachable', async () => {
    const verifier = createRpcAnchorVerifier({ rpcUrl: anvil.rpcUrl });
    const digest = digestOf('other chain');
    const claim = await sendAnchor(digest);
    expect((await verifier.checkAnchor({ ...claim, chainId: 1 }, digest)).status).toBe('unchecked');
    const unreachable = createRpcAnchorVerifier({ rpcUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    expect((await unreachable.checkAnchor(claim, digest)).status).toBe('unavailable');
  });
});
