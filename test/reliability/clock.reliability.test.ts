/**
 * Clock (issue 7). The gateway's clock jumps back and forward (a spawned gateway whose clock is the system
 * clock plus an offset read from a file: TRIALGATE_TEST_CLOCK_OFFSET_FILE, tests only) while a fleet
 * publishes, and devices send readings with unset clocks. Checked:
 *
 * - connected devices keep being acknowledged and logged through every jump; their readings received while
 *   the gateway clock is an hour off carry F_CLOCK_SKEW (flagged, never refused);
 * - readings with `t` near 0 or far off (1970, 1999, 2100, the largest safe integer) are acknowledged and
 *   logged, flagged F_TIME_IMPLAUSIBLE and F_CLOCK_SKEW;
 * - connect tokens are judged against the gateway clock: while it is an hour off, a device with a correct
 *   clock is refused (E_CONNECT_TOKEN_EXPIRED, counted and in quarantine) and one whose clock follows the
 *   gateway's gets in; once the clock is right, devices connect again;
 * - a token accepted before a forward jump cannot be replayed after a restart under the jumped clock and a
 *   step back (the replay memory keeps tokens 10 minutes of real time);
 * - the log, the tree and every checkpoint stay consistent (full log check), though receipt times and
 *   checkpoint times go back and forth.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulation, type Fleet } from '@trialgate/device-sim';
import { coseSeqClaimOf, entryFlags, loadGatewayKey, openLogView } from '@trialgate/gateway';
import { decodeLogEntry } from '@trialgate/proof-formats';
import { CLI_BUILT } from '../e2e/cli-processes.js';
import { AckLedgerStore } from './support/ack-ledger-store.js';
import { freePort } from './support/free-port.js';
import { killAllGateways, startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { checkLog, describeProblems, logIsSound } from './support/log-check.js';
import { connectToken, ledgerMessage, RawMqttConnection, signedReading } from './support/raw-device.js';
import { RUN_SEED, reportResult, sized, sleep, waitFor } from './support/reliability-run.js';
import { enrolledFleet, quietSimLogger } from './support/site-fleet.js';

const HOUR = 3_600_000;
const dirs: string[] = [];
afterAll(async () => {
  await killAllGateways();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Tries to connect; true if accepted (the connection is closed again at once). */
async function connects(port: number, identity: Fleet['devices'][number], token: Buffer): Promise<boolean> {
  try {
    (await RawMqttConnection.open(port, identity, token)).destroy();
    return true;
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('CONNACK refused')) return false;
    throw error;
  }
}

describe.skipIf(!CLI_BUILT)('clock', () => {
  it('keeps ingesting and stays consistent while the gateway clock jumps; flags unset device clocks; judges connect tokens by the gateway clock', async () => {
    const jumps = sized([-HOUR, HOUR, 0], [-HOUR, HOUR, 0, 24 * HOUR, -24 * HOUR, 0, -10 * 60_000, 30_000, 0]);
    const phaseMs = sized(4_000, 10_000);
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-rel-clock-'));
    dirs.push(dir);
    const offsetFile = path.join(dir, 'clock-offset');
    writeFileSync(offsetFile, '0');
    const setOffset = async (ms: number): Promise<void> => {
      writeFileSync(offsetFile, String(ms));
      // The gateway re-reads the file every 50 ms.
      await sleep(250);
    };
    const dataDir = path.join(dir, 'gw');
    const fleet = await enrolledFleet(dataDir, { size: 9, seed: RUN_SEED + 7, idPrefix: 'CLK' });
    const steady: Fleet = { seed: fleet.seed, devices: fleet.devices.slice(0, 6) };
    const [prober, follower, clockless] = fleet.devices.slice(6);
    if (prober === undefined || follower === undefined || clockless === undefined) throw new Error('fleet too small');
    const port = await freePort();
    const start = (): Promise<GatewayProcess> =>
      startGatewayProcess({ dataDir, origin: 'reliability.example/site-clock/gw-1', mqttPort: port, args: ['--checkpoint-interval', '500ms'], env: { TRIALGATE_TEST_CLOCK_OFFSET_FILE: offsetFile } });
    let gateway = await start();
    expect(gateway.logs().some((line) => line['event'] === 'test_clock')).toBe(true);
    const gatewayKey = loadGatewayKey(dataDir).verifierKey;
    const store = new AckLedgerStore();
    const simulation = await startSimulation({
      brokerUrl: gateway.mqttUrl,
      fleet: steady,
      store,
      rate: 60,
      durationMs: 30 * 60_000,
      keepRecord: false,
      backoff: { initialMs: 100, maxMs: 500 },
      logger: quietSimLogger(),
    });
    await waitFor(() => store.acknowledgedCount >= 60, 60_000, 'the fleet publishing', 50);

    // A token used once now, kept to be replayed after the jumps (all within its 300 s window).
    const usedToken = connectToken(prober);
    expect(await connects(gateway.mqttPort, prober, usedToken)).toBe(true);

    // Devices whose clock was never set: t near 0 and far off. Acknowledged, logged, flagged.
    const unsetTimes = [0, 1_000, 946_684_799_999, 4_102_444_800_000, Number.MAX_SAFE_INTEGER];
    const clocklessConnection = await RawMqttConnection.open(gateway.mqttPort, clockless);
    const clocklessMessages = unsetTimes.map((t, i) => signedReading(clockless, i + 1, t));
    clocklessMessages.forEach((bytes, i) => clocklessConnection.publish(`tg/v1/dev/${clockless.id}/up`, bytes, i + 1));
    await clocklessConnection.pubacks(unsetTimes.length, 30_000);
    clocklessConnection.destroy();

    const phases: { offsetMs: number; acknowledged: number; correctClockConnects: boolean; followerConnects: boolean }[] = [];
    for (const offsetMs of jumps) {
      await setOffset(offsetMs);
      const before = store.acknowledgedCount;
      const correct = await connects(gateway.mqttPort, follower, connectToken(follower));
      // A device that set its clock from the gateway's (its token's iat follows the gateway clock).
      const following = await connects(gateway.mqttPort, follower, connectToken(follower, Date.now() + offsetMs + 1));
      await sleep(phaseMs);
      const acknowledged = store.acknowledgedCount - before;
      phases.push({ offsetMs, acknowledged, correctClockConnects: correct, followerConnects: following });
      // Ingest goes on whatever the clock says.
      expect(acknowledged, `phase ${offsetMs} (seed ${RUN_SEED})`).toBeGreaterThan(0);
      expect(following, `a token following the gateway clock at ${offsetMs}`).toBe(true);
      // Within 300 s of the gateway clock: the correct clock gets in exactly when the gateway's is right.
      expect(correct, `a correct token at ${offsetMs}`).toBe(Math.abs(offsetMs) <= 290_000);
    }
    expect(await gateway.metric('trialgate_mqtt_connections_refused_total', { reason: 'E_CONNECT_TOKEN_EXPIRED' })).toBeGreaterThan(0);

    // A restart while the clock is an hour ahead, then the clock is right again: the token used at the start
    // is still remembered, and its replay is refused.
    await setOffset(HOUR);
    expect(await gateway.stop()).toBe(0);
    gateway = await start();
    await setOffset(0);
    await waitFor(() => store.acknowledgedCount > 0 && gateway.logs().some((l) => l['event'] === 'connected'), 30_000, 'the fleet back');
    const replayed = await connects(gateway.mqttPort, prober, usedToken);
    expect(replayed, 'a replayed token after a forward jump, a restart and a step back').toBe(false);
    expect(await gateway.metric('trialgate_mqtt_connections_refused_total', { reason: 'E_CONNECT_TOKEN_REPLAYED' })).toBe(1);
    const ackedAfterRestart = store.acknowledgedCount;
    await waitFor(() => store.acknowledgedCount > ackedAfterRestart + 30, 30_000, 'acknowledgements after the restart', 50);

    const finished = await simulation.stop();
    expect(finished.pending).toBe(0);
    expect(await gateway.stop()).toBe(0);

    // The log, its tree and its checkpoints are consistent, and hold every acknowledged message once.
    const acknowledged = [...store.acknowledged(), ...clocklessMessages.map((bytes, i) => ledgerMessage(clockless.id, i + 1, bytes))];
    const result = await checkLog({ dataDir, gatewayKey, acknowledged });
    expect(logIsSound(result), describeProblems(result)).toBe(true);

    // What the log shows of the jumps: receipt times going back, clock flags; the unset clocks flagged.
    const view = openLogView({ dataDir });
    let receiptTimeWentBack = 0;
    let skewFlagged = 0;
    const clocklessFlags: string[][] = [];
    try {
      let previous = 0;
      view.forEachEntry(0, view.size(), (_i, bytes) => {
        const entry = decodeLogEntry(bytes);
        if (entry.receivedAtMs < previous) receiptTimeWentBack += 1;
        previous = entry.receivedAtMs;
        if (entry.contentType !== 'cose-sign1') return;
        const flags = entryFlags(entry, { clockSkewToleranceMs: 300_000 }).map((f) => f.code);
        if (entry.deviceId === clockless.id) clocklessFlags[(coseSeqClaimOf(entry)?.seq ?? 0) - 1] = flags;
        else if (flags.includes('F_CLOCK_SKEW')) skewFlagged += 1;
      });
      const signedAt = view.checkpoints.list({ limit: 100_000 }).map((c) => c.signedAtMs);
      reportResult('clock', {
        jumpsMs: jumps,
        phaseMs,
        phases,
        receiptTimeWentBack,
        readingsFlaggedClockSkew: skewFlagged,
        unsetClockFlags: Object.fromEntries(unsetTimes.map((t, i) => [String(t), clocklessFlags[i] ?? null])),
        checkpoints: signedAt.length,
        checkpointTimesWentBack: signedAt.filter((t, i) => i > 0 && t < (signedAt[i - 1] ?? 0)).length,
        tokenReplayAfterJumpAndRestart: 'refused',
        logSize: result.size,
      });
    } finally {
      await view.close();
    }
    expect(receiptTimeWentBack).toBeGreaterThan(0);
    expect(skewFlagged).toBeGreaterThan(0);
    for (const [i, t] of unsetTimes.entries()) {
      expect(clocklessFlags[i], `t = ${t}`).toEqual(expect.arrayContaining(['F_TIME_IMPLAUSIBLE', 'F_CLOCK_SKEW']));
    }
  }, sized(180_000, 600_000));
});
