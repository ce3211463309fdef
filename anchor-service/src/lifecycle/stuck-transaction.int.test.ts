import { afterEach, describe, expect, it } from 'vitest';
import { startAnvil, type AnvilProcess } from '../testing/anvil-process.js';
import { canonicalTransactions, createAnchorHarness, eventually, startMiner, viemChain, type AnchorHarness } from '../testing/anchor-test-harness.js';
import { createCheckpointSigner, signCheckpoint } from '../testing/signed-checkpoint.js';
import { parseAnchorRecord } from '../state/anchor-record.js';
import { anchorStateKeys } from '../state/anchor-state-keys.js';

const signer = createCheckpointSigner('trial.example/site-007/gw-2');
let anvil: AnvilProcess | undefined;
let harness: AnchorHarness | undefined;

afterEach(async () => {
  await harness?.close();
  await anvil?.stop();
  harness = undefined;
  anvil = undefined;
});

interface PoolTx {
  readonly hash: string;
  readonly nonce: string;
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
}

async function pendingOf(address: string): Promise<readonly PoolTx[]> {
  const pool = await anvil?.request<{ pending: Record<string, Record<string, PoolTx>> }>('txpool_content');
  const entry = Object.entries(pool?.pending ?? {}).find(([from]) => from.toLowerCase() === address.toLowerCase());
  return entry === undefined ? [] : Object.values(entry[1]);
}

async function storedRecord(h: AnchorHarness, treeSize: number) {
  const text = await h.redis.get(anchorStateKeys(h.prefix).record(31337, signer.origin, treeSize));
  return text === null ? null : parseAnchorRecord(text);
}

describe('a transaction stuck in the mempool', () => {
  it('is replaced with the same nonce and fees at least 12.5% higher, never above the maximum fee per anchor', async () => {
    anvil = await startAnvil({ noMining: true });
    harness = await createAnchorHarness(anvil);
    const h = harness;
    const gasLimit = 26_736n; // 22,280 estimated (all-non-zero digest bytes need at most that) + 20%
    // Room for the first attempt (about 2 x 1 gwei + 1 gwei) and two 12.5% bumps, not a third.
    const maxFeeWei = gasLimit * 4_000_000_000n;
    const run = h.anchor(h.anchorer(viemChain(anvil.url), { replaceAfterMs: 400, rebroadcastAfterMs: 200, maxFeeWei }), signCheckpoint(signer, 50));

    const first = await eventually(async () => (await pendingOf(h.signer.address))[0], 30_000, 'first attempt in the pool');
    // Let it sit through several replacement periods with no block mined.
    await eventually(async () => ((await storedRecord(h, 50))?.attempts.length ?? 0) >= 3, 30_000, 'two replacements');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const record = await storedRecord(h, 50);
    const attempts = record?.attempts ?? [];
    expect(attempts.length).toBe(3);
    for (const [index, attempt] of attempts.entries()) {
      expect(BigInt(attempt.maxFeePerGas) * BigInt(attempt.gas)).toBeLessThanOrEqual(maxFeeWei);
      const previous = attempts[index - 1];
      if (previous !== undefined) {
        expect(BigInt(attempt.maxFeePerGas) * 1000n).toBeGreaterThanOrEqual(BigInt(previous.maxFeePerGas) * 1125n);
        expect(BigInt(attempt.maxPriorityFeePerGas) * 1000n).toBeGreaterThanOrEqual(BigInt(previous.maxPriorityFeePerGas) * 1125n);
      }
    }
    // The pool holds one transaction of that nonce: the newest attempt replaced the others.
    const pool = await pendingOf(h.signer.address);
    expect(pool).toHaveLength(1);
    expect(pool[0]?.nonce).toBe(first.nonce);
    expect(pool[0]?.hash).toBe(attempts.at(-1)?.hash);
    expect(h.logs.lines.some((line) => line['msg'] === 'anchor pending at the maximum fee per anchor; not replacing')).toBe(true);
    expect(await h.metric('trialgate_anchor_replacements_total')).toBe(2);

    const miner = startMiner(anvil, 50);
    const outcome = await run;
    await miner.stop();
    expect(outcome).toMatchObject({ state: 'final', txHash: attempts.at(-1)?.hash });
    const anchors = (await canonicalTransactions(anvil)).filter((tx) => tx.from.toLowerCase() === h.signer.address.toLowerCase());
    expect(anchors).toHaveLength(1);
    expect(h.statesOf(50)).toEqual(['submitted', 'submitted', 'submitted', 'included', 'final']);
  });

  it('is replaced when the base fee rises above its fee cap, and then included', async () => {
    anvil = await startAnvil({ noMining: true });
    harness = await createAnchorHarness(anvil);
    const h = harness;
    const run = h.anchor(h.anchorer(viemChain(anvil.url), { replaceAfterMs: 500, rebroadcastAfterMs: 200 }), signCheckpoint(signer, 60));
    const first = await eventually(async () => (await pendingOf(h.signer.address))[0], 30_000, 'first attempt in the pool');
    // The next blocks' base fee is far above what the first attempt offers: it cannot be included.
    const spiked = BigInt(first.maxFeePerGas) * 10n;
    await anvil.request('anvil_setNextBlockBaseFeePerGas', [`0x${spiked.toString(16)}`]);
    await anvil.request('evm_mine');
    expect(await anvil.request('eth_getTransactionReceipt', [first.hash])).toBeNull();

    const replaced = await eventually(
      async () => (await pendingOf(h.signer.address)).find((tx) => tx.hash !== first.hash),
      10_000,
      'a replacement',
    );
    expect(replaced.nonce).toBe(first.nonce);
    expect(BigInt(replaced.maxFeePerGas)).toBeGreaterThan(spiked);
    const miner = startMiner(anvil, 50);
    const outcome = await run;
    await miner.stop();
    expect(outcome).toMatchObject({ state: 'final', txHash: replaced.hash });
    expect(await anvil.request('eth_getTransactionReceipt', [first.hash])).toBeNull();
  });

  it('waits with E_ANCHORING_FEE_CEILING when the base fee is above the maximum fee per anchor, then sends once it falls', async () => {
    anvil = await startAnvil();
    harness = await createAnchorHarness(anvil);
    const h = harness;
    const gwei = 1_000_000_000n;
    await anvil.request('anvil_setNextBlockBaseFeePerGas', [`0x${(50n * gwei).toString(16)}`]);
    await anvil.request('evm_mine');
    const run = h.anchor(h.anchorer(viemChain(anvil.url), { maxFeeWei: 26_736n * 20n * gwei }), signCheckpoint(signer, 70));
    await eventually(() => h.resultsOf(70).find((result) => result.state === 'failed'), 30_000, 'a failed result');
    expect(h.resultsOf(70)[0]?.error?.code).toBe('E_ANCHORING_FEE_CEILING');
    expect(await h.metric('trialgate_anchor_failures_total', { code: 'E_ANCHORING_FEE_CEILING' })).toBeGreaterThan(0);
    expect(await pendingOf(h.signer.address)).toHaveLength(0);

    await anvil.request('anvil_setNextBlockBaseFeePerGas', [`0x${gwei.toString(16)}`]);
    await anvil.request('evm_mine');
    const miner = startMiner(anvil, 50);
    const outcome = await run;
    await miner.stop();
    expect(outcome.state).toBe('final');
    expect(h.statesOf(70)).toEqual(['failed', 'submitted', 'included', 'final']);
  });
});
