import { afterEach, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilProcess } from '../testing/anvil-process.js';
import { canonicalTransactions, createAnchorHarness, eventually, startMiner, viemChain, type AnchorHarness } from '../testing/anchor-test-harness.js';
import { createCheckpointSigner, signCheckpoint } from '../testing/signed-checkpoint.js';

const signer = createCheckpointSigner('trial.example/site-042/gw-1');
let anvil: AnvilProcess | undefined;
let harness: AnchorHarness | undefined;

afterEach(async () => {
  await harness?.close();
  await anvil?.stop();
  harness = undefined;
  anvil = undefined;
});

describe('ChainAnchorer on anvil', () => {
  it('anchors a checkpoint submitted -> included -> final (finalized tag), the digest verbatim as the input', async () => {
    anvil = await startAnvil({ slotsInAnEpoch: 1 });
    harness = await createAnchorHarness(anvil);
    const miner = startMiner(anvil, 100);
    const checkpoint = signCheckpoint(signer, 5);
    const outcome = await harness.anchor(harness.anchorer(viemChain(anvil.url), { finality: { kind: 'finalized' } }), checkpoint);
    await miner.stop();

    expect(outcome).toMatchObject({ chainId: 31337, state: 'final' });
    expect(harness.statesOf(5)).toEqual(['submitted', 'included', 'final']);
    const final = harness.resultsOf(5).at(-1);
    expect(final).toMatchObject({ state: 'final', origin: signer.origin, treeSize: 5, digest: checkpoint.digest, from: harness.signer.address });

    // What a verifier checks (spec section 6): exists, sender, input holds the digest, success, chain id, final.
    const tx = await anvil.request<{ from: string; to: string; input: string; chainId: string; blockNumber: string; type: string }>(
      'eth_getTransactionByHash',
      [final?.txHash],
    );
    expect(tx.from.toLowerCase()).toBe(harness.signer.address.toLowerCase());
    expect(tx.to.toLowerCase()).toBe(harness.signer.address.toLowerCase());
    expect(tx.input).toBe(checkpoint.digest);
    expect(Number(tx.chainId)).toBe(31337);
    expect(tx.type).toBe('0x2');
    expect(Number(tx.blockNumber)).toBe(final?.blockNumber);
    const receipt = await anvil.request<{ status: string; blockHash: string }>('eth_getTransactionReceipt', [final?.txHash]);
    expect(receipt.status).toBe('0x1');
    expect(receipt.blockHash).toBe(final?.blockHash);
    const finalized = await anvil.request<{ number: string }>('eth_getBlockByNumber', ['finalized', false]);
    expect(Number(finalized.number)).toBeGreaterThanOrEqual(final?.blockNumber ?? Infinity);
  });

  it('waits for the finalized tag to pass the block (anvil --slots-in-an-epoch)', async () => {
    anvil = await startAnvil({ slotsInAnEpoch: 4 });
    harness = await createAnchorHarness(anvil);
    const h = harness;
    const run = h.anchor(h.anchorer(viemChain(anvil.url), { finality: { kind: 'finalized' } }), signCheckpoint(signer, 9));
    const included = await eventually(() => h.resultsOf(9).find((result) => result.state === 'included'), 20_000, 'included');
    // Automine put it in a block of its own; nothing else is mined, so `finalized` stays behind it.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(h.statesOf(9)).toEqual(['submitted', 'included']);
    const finalizedBefore = await anvil.request<{ number: string }>('eth_getBlockByNumber', ['finalized', false]);
    expect(Number(finalizedBefore.number)).toBeLessThan(included.blockNumber ?? 0);

    const miner = startMiner(anvil, 50);
    const outcome = await run;
    await miner.stop();
    expect(outcome.state).toBe('final');
    const finalizedAfter = await anvil.request<{ number: string }>('eth_getBlockByNumber', ['finalized', false]);
    expect(Number(finalizedAfter.number)).toBeGreaterThanOrEqual(included.blockNumber ?? Infinity);
  });

  it('counts N confirmations where the rule is confirmations (the block itself is the first)', async () => {
    anvil = await startAnvil();
    harness = await createAnchorHarness(anvil);
    const h = harness;
    const run = h.anchor(h.anchorer(viemChain(anvil.url), { finality: { kind: 'confirmations', confirmations: 4 } }), signCheckpoint(signer, 3));
    const included = await eventually(() => h.resultsOf(3).find((result) => result.state === 'included'), 20_000, 'included');
    const blockNumber = included.blockNumber ?? 0;
    await anvil.request('anvil_mine', ['0x2']); // 3 confirmations
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.statesOf(3)).toEqual(['submitted', 'included']);
    await anvil.request('anvil_mine', ['0x1']); // 4 confirmations
    const outcome = await run;
    expect(outcome).toMatchObject({ state: 'final', blockNumber });
    const latest = Number(await anvil.request<string>('eth_blockNumber'));
    expect(latest - blockNumber + 1).toBeGreaterThanOrEqual(4);
  });

  it('anchors a checkpoint offered again only once, and answers the repeat with the stored final result', async () => {
    anvil = await startAnvil();
    harness = await createAnchorHarness(anvil);
    const miner = startMiner(anvil, 50);
    const anchorer = harness.anchorer(viemChain(anvil.url));
    const checkpoint = signCheckpoint(signer, 12);
    const first = await harness.anchor(anchorer, checkpoint);
    const second = await harness.anchor(anchorer, checkpoint);
    await miner.stop();
    expect(second).toEqual(first);
    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.input === checkpoint.digest);
    expect(anchors).toHaveLength(1);
  });

  it('supersedes a waiting checkpoint with a newer one of the same origin (min interval), O(1) anchors', async () => {
    anvil = await startAnvil();
    harness = await createAnchorHarness(anvil);
    const miner = startMiner(anvil, 50);
    const anchorer = harness.anchorer(viemChain(anvil.url), { minIntervalMs: 1500 });
    const first = await harness.anchor(anchorer, signCheckpoint(signer, 10));
    expect(first.state).toBe('final');
    // Within the interval: 20 and 30 wait; 30 supersedes 20; 30 is anchored once the interval is over.
    const [second, third] = await Promise.all([
      harness.anchor(anchorer, signCheckpoint(signer, 20)),
      new Promise((resolve) => setTimeout(resolve, 200)).then(() => harness?.anchor(anchorer, signCheckpoint(signer, 30))),
    ]);
    await miner.stop();
    expect(second).toEqual({ chainId: 31337, state: 'superseded', supersededBy: 30 });
    expect(third?.state).toBe('final');
    expect(harness.statesOf(20)).toEqual(['superseded']);
    expect(harness.resultsOf(20)[0]?.supersededBy).toBe(30);
    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.from.toLowerCase() === harness?.signer.address.toLowerCase());
    expect(anchors).toHaveLength(2);
  });

  it('fails a checkpoint whose tree size was anchored before with another digest (inconsistent checkpoints)', async () => {
    anvil = await startAnvil();
    harness = await createAnchorHarness(anvil);
    const miner = startMiner(anvil, 50);
    const anchorer = harness.anchorer(viemChain(anvil.url));
    await harness.anchor(anchorer, signCheckpoint(signer, 7));
    const other = signCheckpoint(signer, 7, new Uint8Array(32).fill(7));
    const outcome = await harness.anchor(anchorer, other);
    await miner.stop();
    expect(outcome).toMatchObject({ state: 'failed', error: { code: 'E_ANCHORING_DIGEST_CONFLICT' } });
    expect(harness.resultsOf(7).at(-1)).toMatchObject({ state: 'failed', digest: other.digest, error: { code: 'E_ANCHORING_DIGEST_CONFLICT' } });
  });
});
