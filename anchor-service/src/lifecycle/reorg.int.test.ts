import { afterEach, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilProcess } from '../testing/anvil-process.js';
import { canonicalTransactions, createAnchorHarness, eventually, startMiner, viemChain, type AnchorHarness } from '../testing/anchor-test-harness.js';
import { createCheckpointSigner, signCheckpoint } from '../testing/signed-checkpoint.js';

const signer = createCheckpointSigner('trial.example/site-003/gw-1');
let anvil: AnvilProcess | undefined;
let harness: AnchorHarness | undefined;

afterEach(async () => {
  await harness?.close();
  await anvil?.stop();
  harness = undefined;
  anvil = undefined;
});

describe('a reorg that drops an included anchor', () => {
  it('is detected before finality (anvil_reorg) and the anchor is sent again and followed to final', async () => {
    anvil = await startAnvil();
    harness = await createAnchorHarness(anvil);
    const h = harness;
    const checkpoint = signCheckpoint(signer, 40);
    const run = h.anchor(h.anchorer(viemChain(anvil.url), { finality: { kind: 'confirmations', confirmations: 5 } }), checkpoint);
    const included = await eventually(() => h.resultsOf(40).find((result) => result.state === 'included'), 30_000, 'included');
    await anvil.request('anvil_mine', ['0x1']);
    const latest = Number(await anvil.request<string>('eth_blockNumber'));
    // Replace the block holding the anchor and the one after it; the new blocks carry no transaction.
    await anvil.request('anvil_reorg', [latest - (included.blockNumber ?? 0) + 1, []]);
    expect(await anvil.request('eth_getTransactionReceipt', [included.txHash])).toBeNull();

    const again = await eventually(
      () => h.resultsOf(40).find((result) => result.state === 'included' && result.blockHash !== included.blockHash),
      10_000,
      'included again',
    );
    const miner = startMiner(anvil, 50);
    const outcome = await run;
    await miner.stop();
    expect(outcome).toMatchObject({ state: 'final', blockHash: again.blockHash });
    expect(h.statesOf(40)).toEqual(['submitted', 'included', 'submitted', 'included', 'final']);
    expect(await h.metric('trialgate_anchor_reorgs_total')).toBe(1);
    expect(h.logs.lines.some((line) => String(line['msg']).includes('dropped by a reorg'))).toBe(true);
    // Exactly one anchor of that digest on the canonical chain, in the block the final result names.
    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.input === checkpoint.digest);
    expect(anchors).toHaveLength(1);
    expect(anchors[0]?.blockNumber).toBe(outcome.state === 'final' ? outcome.blockNumber : -1);
    const block = await anvil.request<{ hash: string }>('eth_getBlockByNumber', [`0x${(anchors[0]?.blockNumber ?? 0).toString(16)}`, false]);
    expect(block.hash).toBe(again.blockHash);
  });

  it('is detected under the finalized-tag rule too (evm_snapshot / evm_revert drops the block)', async () => {
    anvil = await startAnvil({ slotsInAnEpoch: 8 });
    harness = await createAnchorHarness(anvil);
    const h = harness;
    const snapshot = await anvil.request<string>('evm_snapshot');
    const checkpoint = signCheckpoint(signer, 41);
    const run = h.anchor(h.anchorer(viemChain(anvil.url), { finality: { kind: 'finalized' } }), checkpoint);
    const included = await eventually(() => h.resultsOf(41).find((result) => result.state === 'included'), 30_000, 'included');
    await anvil.request('evm_revert', [snapshot]);
    await anvil.request('anvil_mine', ['0x3']);

    await eventually(
      () => h.resultsOf(41).find((result) => result.state === 'included' && result.blockHash !== included.blockHash),
      10_000,
      'included again',
    );
    const miner = startMiner(anvil, 20);
    const outcome = await run;
    await miner.stop();
    expect(outcome.state).toBe('final');
    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.input === checkpoint.digest);
    expect(anchors).toHaveLength(1);
  });
});
