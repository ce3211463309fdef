/**
 * Crash (issue 7): `kill -9` of the gateway process at 20 random instants while a simulated fleet publishes at
 * QoS 1 (`TG_RELIABILITY_FULL=1`: 60). After every restart, every message a device saw acknowledged is in the
 * log exactly once, byte for byte, the full audit passes (entries, stored tree, every checkpoint root), the
 * checkpoints are signed by the pinned key and consistent with each other, and a bundle of what arrived since
 * the previous restart verifies. At the end, the devices deliver everything they still hold, nothing is in the
 * log that no device sent, and `trialgate export` + `trialgate verify` of the whole log pass.
 *
 * Real processes: the spawned `trialgate gateway` (built CLI) on one fixed port, the simulator in this process
 * (store-and-forward, reconnect backoff, fresh connect tokens), `trialgate export` and `trialgate verify`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_BUILT, runCli } from '../e2e/cli-processes.js';
import { killAllGateways } from './support/gateway-process.js';
import { startGatewayUnderLoad } from './support/gateway-under-load.js';
import { checkLog, describeProblems, logIsSound } from './support/log-check.js';
import { MIB } from './support/process-memory.js';
import { RUN_SEED, percentile, reportResult, seededRandom, sized, sleep, waitFor } from './support/reliability-run.js';

const ORIGIN = 'reliability.example/site-crash/gw-1';
const dirs: string[] = [];
afterAll(async () => {
  await killAllGateways();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!CLI_BUILT)('crash: kill -9 at random instants under QoS 1 load', () => {
  it('keeps every acknowledged message exactly once, the tree and checkpoints consistent and bundles verifiable after every restart', async () => {
    const kills = sized(20, 60);
    const random = seededRandom(RUN_SEED);
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-rel-crash-'));
    dirs.push(dir);
    const site = await startGatewayUnderLoad({ dir, origin: ORIGIN, idPrefix: 'CRASH', devices: 12, rate: 100 });
    const { dataDir, start, gatewayKey, store, simulation } = site;
    let gateway = site.gateway;

    const restartsMs: number[] = [];
    const checksMs: number[] = [];
    const cyclesMs: number[] = [];
    let tornTails = 0;
    let tornBytes = 0;
    let ackedAtKills = 0;
    let previousCheckAt = 0;
    try {
      for (let kill = 1; kill <= kills; kill += 1) {
        const cycleBegun = performance.now();
        // Let the fleet (re)connect and publish, then kill at a random instant of the load.
        const before = store.acknowledgedCount;
        await waitFor(() => store.acknowledgedCount > before, 30_000, `acknowledgements before kill ${kill}`, 10);
        await sleep(50 + random() * 600);
        ackedAtKills = store.acknowledgedCount;
        await gateway.kill9();
        await sleep(random() * 200);

        const begun = performance.now();
        gateway = await start();
        restartsMs.push(performance.now() - begun);
        const recovered = gateway.logs().find((line) => line['event'] === 'recovered');
        if (typeof recovered?.['tornTailBytes'] === 'number' && recovered['tornTailBytes'] > 0) {
          tornTails += 1;
          tornBytes += recovered['tornTailBytes'];
        }

        const checkBegun = performance.now();
        const checkedAt = Date.now();
        const result = await checkLog({ dataDir, gatewayKey, acknowledged: store.acknowledged(), bundleFromMs: previousCheckAt });
        checksMs.push(performance.now() - checkBegun);
        cyclesMs.push(performance.now() - cycleBegun);
        previousCheckAt = checkedAt - 5_000;
        expect(logIsSound(result), `after kill ${kill} (seed ${RUN_SEED}): ${describeProblems(result)}`).toBe(true);
        expect(result.size).toBeGreaterThan(0);
      }

      // The devices deliver everything they still hold; then a clean stop.
      const finalBegun = performance.now();
      const finished = await simulation.stop();
      expect(finished.pending, `seed ${RUN_SEED}`).toBe(0);
      const rssBeforeStop = gateway.residentBytes();
      expect(await gateway.stop()).toBe(0);

      const sent = new Map(store.acknowledged().map((m) => [`${m.device}/${m.seq}`, m]));
      const final = await checkLog({ dataDir, gatewayKey, acknowledged: store.acknowledged(), sent });
      expect(logIsSound(final), `final (seed ${RUN_SEED}): ${describeProblems(final)}`).toBe(true);
      expect(final.deviceMessages).toBe(store.acknowledgedCount);

      // The sponsor's way: trialgate export, trialgate verify with the pinned key.
      const bundleFile = path.join(dir, 'bundle.json');
      const exported = await runCli(['export', '--data', dataDir, '--out', bundleFile, '--json'], { timeoutMs: 120_000 });
      expect(exported.code, exported.stderr).toBe(0);
      expect(JSON.parse(exported.stdout)).toMatchObject({ notYetCheckpointed: 0 });
      const verified = await runCli(['verify', bundleFile, '--gateway-key', gatewayKey], { timeoutMs: 120_000 });
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);

      reportResult('crash', {
        kills,
        acknowledged: store.acknowledgedCount,
        ackedAtLastKill: ackedAtKills,
        logSize: final.size,
        checkpoints: final.checkpoints,
        restartsWithTornTail: tornTails,
        tornTailBytes: tornBytes,
        restartMsP50: Math.round(percentile(restartsMs, 50)),
        restartMsMax: Math.round(Math.max(...restartsMs)),
        checkMsP50: Math.round(percentile(checksMs, 50)),
        cycleMsP50: Math.round(percentile(cyclesMs, 50)),
        finalPhaseMs: Math.round(performance.now() - finalBegun),
        resentAfterKills: finished.resent,
        rssMiBAtEnd: rssBeforeStop === null ? null : Math.round(rssBeforeStop / MIB),
      });
    } finally {
      await simulation.stop().catch(() => undefined);
      await gateway.kill9();
    }
  }, sized(240_000, 900_000));
});
