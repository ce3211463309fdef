import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointDigestHex, makeBundle, makeLog, type AnchorRecord } from './bundle-maker.js';
import { startChain, type Chain } from './local-chain.js';
import { verifyCli } from './run-verify-cli.js';

/**
 * Acceptance of anchors (spec section 6; issue 4 "done when"): a bundle whose checkpoints were anchored on a
 * real local chain verifies with `trialgate verify --rpc URL` once the blocks are final, is inconclusive
 * (exit 3) before, and fails when an anchor points at a transaction without the digest.
 */
const SLOTS = 2; // anvil's finalized block trails the head by 2 x 2 blocks
let chain: Chain;
let dir: string;

beforeAll(async () => {
  chain = await startChain(SLOTS);
  dir = mkdtempSync(path.join(tmpdir(), 'tg-anchors-'));
});

afterAll(async () => {
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('trialgate verify --rpc on independently anchored bundles', () => {
  it('inconclusive (3) while the anchor block is not final, valid (0) once it is; a wrong digest fails (1)', async () => {
    const log = makeLog();
    const sizes = [5, 8, log.entries.length];
    // Anchor each checkpoint's digest: the note is fixed by the log, so compute the digests first.
    const unanchored = makeBundle(log, { sizes });
    const anchors: AnchorRecord[] = [];
    for (const checkpoint of unanchored.checkpoints) {
      const tx = await chain.send(`74670001${checkpointDigestHex(checkpoint.note)}`);
      anchors.push({ chain_id: chain.chainId, tx_hash: tx.txHash, block_number: tx.blockNumber, from: tx.from });
    }
    const anchored = makeBundle(log, { sizes, anchors: (position) => [anchors[position] as AnchorRecord] });
    const file = path.join(dir, 'anchored.json');
    writeFileSync(file, JSON.stringify(anchored));

    const early = await verifyCli([file, '--rpc', chain.rpcUrl]);
    expect(early.stdout).toMatch(/^INCONCLUSIVE: /);
    expect(early.stdout).toMatch(/WAIT anchor 0 of checkpoint 2: block \d+ is not final yet/);
    expect(early.code).toBe(3);

    await chain.mine(2 * SLOTS);
    const final = await verifyCli([file, '--rpc', chain.rpcUrl]);
    expect(final.stdout).toMatch(/^13 entries from 4 devices verified against 3 checkpoints; 3 anchors verified final on chain 31337 through http:\/\/127\.0\.0\.1:\d+; gateway key not pinned$/m);
    expect(final.code).toBe(0);

    const confirmations = await verifyCli([file, '--rpc', chain.rpcUrl, '--confirmations', '3']);
    expect(confirmations.code).toBe(0);

    const noRpc = await verifyCli([file]);
    expect(noRpc.stdout).toMatch(/anchors not checked: no --rpc given/);
    expect(noRpc.code).toBe(0);

    // Checkpoint 2 claims the transaction that anchored checkpoint 0: it does not carry checkpoint 2's digest.
    const wrong = makeBundle(log, { sizes, anchors: (position) => [anchors[position === 2 ? 0 : position] as AnchorRecord] });
    const wrongFile = path.join(dir, 'wrong-anchor.json');
    writeFileSync(wrongFile, JSON.stringify(wrong));
    const failed = await verifyCli([wrongFile, '--rpc', chain.rpcUrl]);
    expect(failed.stdout).toMatch(/FAIL anchor 0 of checkpoint 2: the transaction's input does not contain the checkpoint digest \[E_ANCHOR_DIGEST\]/);
    expect(failed.code).toBe(1);
  });
});
