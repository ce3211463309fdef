/**
 * Power loss while writing (issue 7): the gateway is killed under QoS 1 load and its last, unacknowledged
 * write is torn the ways a power cut can tear it (support/torn-write.ts): the newest segment cut at a random
 * byte inside the records past the committed size, a partial record or a run of zeros appended to it, a
 * partial record appended to the quarantine file, the derived offset and tree files cut past their synced
 * size. On the next start the gateway detects and repairs it (the torn tail cut, a `recovered` log line with
 * the bytes cut) and loses no acknowledged entry: every acknowledged message is in the log exactly once, the
 * full audit passes, checkpoints stay consistent and a bundle verifies. At the end the devices resend what was
 * torn away (never acknowledged), and everything they stored is logged exactly once.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_BUILT } from '../e2e/cli-processes.js';
import { killAllGateways } from './support/gateway-process.js';
import { startGatewayUnderLoad } from './support/gateway-under-load.js';
import { checkLog, describeProblems, logIsSound } from './support/log-check.js';
import { RUN_SEED, reportResult, seededRandom, sized, sleep, waitFor } from './support/reliability-run.js';
import { TORN_WRITE_KINDS, tearLastWrite, type TornWriteKind } from './support/torn-write.js';

const ORIGIN = 'reliability.example/site-torn/gw-1';
const dirs: string[] = [];
afterAll(async () => {
  await killAllGateways();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!CLI_BUILT)('power loss while writing: a torn last write', () => {
  it('is detected and repaired on start without losing any acknowledged entry', async () => {
    const rounds = sized(TORN_WRITE_KINDS.length + 1, 25);
    const random = seededRandom(RUN_SEED + 1);
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-rel-torn-'));
    dirs.push(dir);
    const site = await startGatewayUnderLoad({ dir, origin: ORIGIN, idPrefix: 'TORN', devices: 10, rate: 200 });
    const { dataDir, start, gatewayKey, store, simulation, fleet } = site;
    let gateway = site.gateway;

    const done: Record<string, number> = {};
    let repairedBytes = 0;
    let cutEntriesResent = 0;
    try {
      for (let round = 0; round < rounds; round += 1) {
        const planned: TornWriteKind = TORN_WRITE_KINDS[round % TORN_WRITE_KINDS.length] ?? 'segment-cut';
        const before = store.acknowledgedCount;
        await waitFor(() => store.acknowledgedCount > before, 30_000, `acknowledgements in round ${round}`, 10);
        await sleep(50 + random() * 500);
        await gateway.kill9();
        // PUBACKs already on their way still arrive; they count as acknowledged.
        await sleep(100);
        const acknowledged = store.acknowledged();
        const pending = store.unacknowledged()[0] ?? { device: fleet.devices[0]?.id ?? 'x', bytes: new Uint8Array([0xd2, 0x84]) };
        const torn = tearLastWrite(dataDir, planned, pending, random);
        done[torn.kind] = (done[torn.kind] ?? 0) + 1;

        gateway = await start();
        const recovered = gateway.logs().find((line) => line['event'] === 'recovered');
        const tornTailBytes = typeof recovered?.['tornTailBytes'] === 'number' ? recovered['tornTailBytes'] : 0;
        if (torn.kind.startsWith('segment-')) {
          // Detected and repaired: the torn record is cut, and the start says so.
          expect(tornTailBytes, `${torn.kind} (seed ${RUN_SEED}): ${JSON.stringify(recovered)}`).toBeGreaterThan(0);
          expect(statSync(torn.file).size).toBeLessThan(Math.max(torn.before, torn.after));
          expect(gateway.logs().some((line) => line['msg'] === 'cut a torn tail from the log (never acknowledged)')).toBe(true);
          repairedBytes += tornTailBytes;
          if (torn.kind === 'segment-cut') cutEntriesResent += 1;
        }
        if (torn.kind === 'quarantine-partial') expect(statSync(torn.file).size).toBe(torn.before);
        const result = await checkLog({ dataDir, gatewayKey, acknowledged });
        expect(logIsSound(result), `after ${torn.kind} in round ${round} (seed ${RUN_SEED}): ${describeProblems(result)}`).toBe(true);
      }

      const finished = await simulation.stop();
      expect(finished.pending, `seed ${RUN_SEED}`).toBe(0);
      expect(await gateway.stop()).toBe(0);
      const sent = new Map(store.acknowledged().map((m) => [`${m.device}/${m.seq}`, m]));
      const final = await checkLog({ dataDir, gatewayKey, acknowledged: store.acknowledged(), sent });
      expect(logIsSound(final), `final (seed ${RUN_SEED}): ${describeProblems(final)}`).toBe(true);
      expect(final.deviceMessages).toBe(store.acknowledgedCount);
      for (const kind of TORN_WRITE_KINDS.filter((k) => k !== 'segment-cut')) expect(done[kind] ?? 0, kind).toBeGreaterThan(0);

      reportResult('torn-write', { rounds, kinds: done, repairedBytes, segmentCutsInsideUnsyncedRecords: cutEntriesResent, acknowledged: store.acknowledgedCount, logSize: final.size });
    } finally {
      await simulation.stop().catch(() => undefined);
      await gateway.kill9();
    }
  }, sized(180_000, 600_000));
});
