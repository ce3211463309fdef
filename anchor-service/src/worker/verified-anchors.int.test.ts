/**
 * Issue 4's end-to-end check, short of the gateway's own export: checkpoints of a real log (proof-formats'
 * sample bundle maker) are anchored by the service on anvil; a bundle carrying the anchors the service
 * reported verifies with `trialgate verify --rpc` (sender, input, status, chain id, finality), and a bundle
 * whose anchor points at a transaction without the digest fails. Spawns the built CLI.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CHECKPOINT_JOB_FORMAT,
  CHECKPOINT_QUEUE_NAME,
  anchorResultsQueueName,
  checkpointDigestHex,
  checkpointBodyOf,
  checkpointJobId,
  createRpcAnchorVerifier,
  parseCheckpointBody,
  serializeBundle,
  type AnchorClaim,
  type AnchorResultData,
  type CheckpointJobData,
} from '@trialgate/proof-formats';
import { makeSampleBundle } from '@trialgate/proof-formats/testing';
import { startAnvil } from '../testing/anvil-process.js';
import { captureLogs, eventually, postedResults, startMiner, testServiceConfig } from '../testing/anchor-test-harness.js';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from '../testing/redis-test-prefix.js';
import { startAnchorService } from './anchor-service.js';

const CLI = fileURLToPath(new URL('../../../cli/bin/trialgate.js', import.meta.url));
const CLI_BUILT = existsSync(fileURLToPath(new URL('../../../cli/dist/main.js', import.meta.url)));
const SEED = 'anchor-service-e2e';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

function jobFor(note: string): CheckpointJobData {
  const { origin, treeSize } = parseCheckpointBody(checkpointBodyOf(note));
  return { format: CHECKPOINT_JOB_FORMAT, origin, treeSize, note, digest: checkpointDigestHex(note), resultsQueue: anchorResultsQueueName(origin) };
}

function runVerify(args: readonly string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'verify', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.once('exit', (code) => resolve({ code, stdout }));
  });
}

describe('anchors made by the service verify with proof-formats\' anchor verifier and trialgate verify --rpc', () => {
  it.skipIf(!CLI_BUILT)('a bundle exported after anchoring verifies; one pointing at a transaction without the digest fails', async () => {
    const anvil = await startAnvil({ slotsInAnEpoch: 1 });
    const prefix = uniqueTestPrefix('e2e');
    const queue = new Queue<CheckpointJobData>(CHECKPOINT_QUEUE_NAME, { connection: { url: SHARED_REDIS_URL }, prefix });
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-anchor-e2e-'));
    cleanups.push(() => anvil.stop(), () => deleteKeysWithPrefix(SHARED_REDIS_URL, prefix), () => queue.close(), async () => rmSync(dir, { recursive: true, force: true }));
    const miner = startMiner(anvil, 50);
    cleanups.push(() => miner.stop());
    const service = await startAnchorService(testServiceConfig(anvil.url, prefix, { finality: { kind: 'finalized' } }), {
      logger: captureLogs('warn').logger,
      env: { TG_TEST_ANCHOR_KEY: anvil.accounts[0]?.privateKey ?? '' },
    });
    cleanups.push(() => service.close());

    // Anchor each checkpoint of the log, one after the other (so that none supersedes another).
    const { notes } = makeSampleBundle({ seed: SEED, checkpoints: 2 });
    const finals: AnchorResultData[] = [];
    for (const note of notes) {
      const job = jobFor(note);
      const id = checkpointJobId(job.origin, job.treeSize);
      await queue.add('checkpoint', job, { jobId: id });
      await eventually(async () => (await queue.getJobState(id)) === 'completed', 30_000, `checkpoint ${job.treeSize} anchored`);
      const final = (await postedResults(job.resultsQueue, prefix)).find((result) => result.state === 'final' && result.treeSize === job.treeSize);
      if (final === undefined) throw new Error('no final result');
      finals.push(final);
    }
    const claims = finals.map(
      (result): AnchorClaim => ({ chainId: result.chainId, txHash: result.txHash ?? '0x', blockNumber: result.blockNumber ?? 0, from: result.from ?? '0x' }),
    );

    // proof-formats' verifier accepts each anchor as the service reported it.
    const verifier = createRpcAnchorVerifier({ rpcUrl: anvil.url });
    for (const [index, claim] of claims.entries()) {
      const digest = Buffer.from(finals[index]?.digest.slice(2) ?? '', 'hex');
      expect(await verifier.checkAnchor(claim, new Uint8Array(digest))).toMatchObject({ status: 'verified', finality: 'finalized-tag' });
    }

    // The bundle a sponsor receives, with the anchors the gateway stored from the results.
    const good = makeSampleBundle({ seed: SEED, checkpoints: 2, anchors: (position) => [claims[position] ?? claims[0] ?? ({} as AnchorClaim)] });
    const goodFile = path.join(dir, 'good.json');
    writeFileSync(goodFile, serializeBundle(good.bundle));
    const verified = await runVerify([goodFile, '--rpc', anvil.url, '--json']);
    expect(verified.code, verified.stdout).toBe(0);
    const report = JSON.parse(verified.stdout) as { verdict: string; counts: { anchors: number; anchorsVerified: number } };
    expect(report.counts).toMatchObject({ anchors: 2, anchorsVerified: 2 });

    // Swap the anchors: each checkpoint now points at a transaction whose input holds the other's digest.
    const swapped = makeSampleBundle({ seed: SEED, checkpoints: 2, anchors: (position) => [claims[1 - position] ?? ({} as AnchorClaim)] });
    const badFile = path.join(dir, 'bad.json');
    writeFileSync(badFile, serializeBundle(swapped.bundle));
    const refused = await runVerify([badFile, '--rpc', anvil.url]);
    expect(refused.code, refused.stdout).toBe(1);
    expect(refused.stdout).toMatch(/E_ANCHOR_DIGEST|digest/);
  });
});
