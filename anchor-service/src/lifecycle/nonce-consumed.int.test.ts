import { afterEach, describe, expect, it } from 'vitest';
import { createPrivateKeySigner } from '../chain/anchor-transaction.js';
import { startAnvil, type AnvilProcess } from '../testing/anvil-process.js';
import { canonicalTransactions, createAnchorHarness, eventually, startMiner, viemChain, type AnchorHarness } from '../testing/anchor-test-harness.js';
import { createCheckpointSigner, signCheckpoint } from '../testing/signed-checkpoint.js';

const site = createCheckpointSigner('trial.example/site-n/gw-1');
let anvil: AnvilProcess | undefined;
let harness: AnchorHarness | undefined;

afterEach(async () => {
  await harness?.close();
  await anvil?.stop();
  harness = undefined;
  anvil = undefined;
});

describe('an anchor whose nonce goes to a transaction the service did not send', () => {
  it('is noticed, counted, and anchored again with a new nonce', async () => {
    anvil = await startAnvil({ noMining: true });
    harness = await createAnchorHarness(anvil);
    const h = harness;
    const checkpoint = signCheckpoint(site, 90);
    const run = h.anchor(h.anchorer(viemChain(anvil.url), { rebroadcastAfterMs: 60_000 }), checkpoint);
    const submitted = await eventually(() => h.resultsOf(90).find((result) => result.state === 'submitted'), 30_000, 'submitted');

    // Someone else with the same key (an operator's wallet) replaces it with a pricier transaction of that nonce.
    const stranger = createPrivateKeySigner(anvil.accounts[0]?.privateKey ?? '0x');
    const { serialized, hash } = await stranger.sign({
      type: 'eip1559',
      chainId: 31337,
      nonce: 0,
      to: anvil.accounts[1]?.address ?? '0x',
      value: 1n,
      gas: 21_000n,
      maxFeePerGas: 50_000_000_000n,
      maxPriorityFeePerGas: 10_000_000_000n,
    });
    await anvil.request('eth_sendRawTransaction', [serialized]);
    await anvil.request('evm_mine');
    expect(await anvil.request('eth_getTransactionReceipt', [submitted.txHash])).toBeNull();
    expect(await anvil.request('eth_getTransactionReceipt', [hash])).not.toBeNull();

    const miner = startMiner(anvil, 50);
    const outcome = await run;
    await miner.stop();
    expect(outcome.state).toBe('final');
    expect(outcome.state === 'final' ? outcome.txHash : '').not.toBe(submitted.txHash);
    expect(h.statesOf(90)).toEqual(['submitted', 'submitted', 'included', 'final']);
    expect(await h.metric('trialgate_anchor_failures_total', { code: 'E_ANCHORING_NONCE_CONSUMED' })).toBe(1);
    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.input === checkpoint.digest);
    expect(anchors).toHaveLength(1);
    expect(anchors[0]?.nonce).toBe(1);
  });
});
