/**
 * Issue 6, done when: a simulated BLE heart-rate strap, blood-pressure cuff and pulse oximeter (noble's classes
 * over simulated bindings) and a serial dispenser on a socat pseudo-terminal pair all end up in a bundle,
 * exported by `trialgate export`, that `trialgate verify` accepts: the gateway's attestation for the unsigned
 * BLE values, device signatures for the rest. A schedule set with `trialgate schedule set` reaches the
 * dispenser, a reminder follows when the dose is due, the dispenser takes the dose and acknowledges, and the
 * acknowledgements are logged and linked. Needs the build (`npx tsc -b`) for the spawned CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeDeviceMessage, generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import { decodeLogEntry } from '@trialgate/proof-formats';
import {
  BloodPressureCuff,
  createRandom,
  HeartRateStrap,
  MemoryDeviceStore,
  parseGatewayKey,
  PulseOximeter,
  SerialDispenser,
  SimBleBindings,
} from '@trialgate/device-sim';
import {
  createNobleWithBindings,
  decodeClockOffsetEntry,
  decodeDosingEntry,
  resolveGatewayConfig,
  silentLogger,
  startGateway,
  type RunningGateway,
} from '@trialgate/gateway';
import { afterAll, describe, expect, it } from 'vitest';
import { SocatPtyPair } from './socat-pty-pair.js';
import { waitFor } from './transport-kit.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');
const cli = path.join(root, 'cli', 'bin', 'trialgate.js');
const ORIGIN = 'test.example/site-6/gw-transports';
const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('BLE and serial devices, dose reminders, into a verified bundle', () => {
  it('ends in a bundle that trialgate verify accepts, with the whole conversation with the dispenser in it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-e2e6-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = path.join(dir, 'data');
    const pair = new SocatPtyPair(dir);
    await pair.start();
    cleanup.push(() => pair.kill());

    // The gateway's clock runs with the wall clock, and the test can move it forward (a dose becomes due).
    let skipMs = 0;
    const clock = { now: () => Date.now() + skipMs };
    const bindings = new SimBleBindings({ advertisingIntervalMs: 25 });
    const config = resolveGatewayConfig({
      flags: { data: dataDir, origin: ORIGIN, mqttHost: '127.0.0.1', mqttPort: '0', httpHost: '127.0.0.1', httpPort: '0', verifyWorkers: '0', checkpointInterval: '200ms', serial: `${pair.gatewayEnd}:115200`, ble: 'on' },
      env: {},
      cwd: root,
      cores: 2,
    }).config;
    const gateway: RunningGateway = await startGateway(config, {
      clock,
      logger: silentLogger(),
      deviceServices: { ble: { noble: createNobleWithBindings(bindings), timeouts: { connectMs: 2000 } }, dosing: { tickMs: 100, resendAfterMs: 3000 } },
    });
    let stopped = false;
    cleanup.push(async () => {
      if (!stopped) await gateway.stop();
    });

    // The standard BLE health devices cannot sign: they are enrolled without a key (BLE only), and recognised
    // by their address. The dispenser signs, so it is enrolled with its public key.
    const enrolBle = async (id: string, kind: string, address: string) => {
      const enrolled = await gateway.admin.enrollDevice({ id, kind, transports: ['ble'] }, 'test');
      expect(enrolled.device.public_key).toBeNull();
      await gateway.admin.changeDevice(id, { op: 'set-ble', address }, 'test');
    };
    await enrolBle('hr-1', 'hr-strap', 'c0:00:00:00:06:01');
    await enrolBle('bp-1', 'bp-cuff', 'c0:00:00:00:06:02');
    await enrolBle('ox-1', 'oximeter', 'c0:00:00:00:06:03');
    const dispenserKeys = generateEd25519KeyPair();
    await gateway.admin.enrollDevice({ id: 'disp-1', public_key: Buffer.from(dispenserKeys.publicKey).toString('base64'), kind: 'pill_dispenser', transports: ['serial'] }, 'test');
    const dispenserIdentity = { id: 'disp-1', secretKey: dispenserKeys.secretKey };

    const strap = new HeartRateStrap({ address: 'c0:00:00:00:06:01', localName: 'HRM', clock, clockOffsetMs: 2_000 });
    const cuff = new BloodPressureCuff({ address: 'c0:00:00:00:06:02', localName: 'BPC', clock, clockOffsetMs: -30_000 });
    const oximeter = new PulseOximeter({ address: 'c0:00:00:00:06:03', localName: 'OXI', clock, clockNotSet: true });
    for (const p of [strap, cuff, oximeter]) bindings.add(p);
    const gatewayKey = parseGatewayKey(Buffer.from(gateway.downlinkSigner.publicKey).toString('base64'));
    const dispenser = new SerialDispenser({
      identity: dispenserIdentity,
      path: pair.deviceEnd,
      store: new MemoryDeviceStore(),
      gatewayKey,
      clock,
      random: createRandom(6),
      logger: silentLogger(),
      ackTimeoutMs: 1000,
    });
    dispenser.start();
    cleanup.push(() => dispenser.stop());

    // Readings: BLE values once the devices are set up; the dispenser announces itself on its line.
    await waitFor(() => gateway.devices.ble?.connected.length === 3, 10_000, 'three BLE devices');
    strap.measure(71, [850]);
    cuff.measure({ systolic: 124, diastolic: 81, pulse: 66 });
    oximeter.spotCheck(98, 64);
    await dispenser.record({ t: clock.now(), type: 'device_status', data: { battery_pct: 88, fw: '1.4.2' } });
    await dispenser.drain(10_000);

    // The schedule, set through the CLI on the running gateway (its admin socket): one dose two minutes ahead.
    const due = new Date(Math.ceil((clock.now() + 120_000) / 60_000) * 60_000);
    const at = `${String(due.getUTCHours()).padStart(2, '0')}:${String(due.getUTCMinutes()).padStart(2, '0')}`;
    const set = await run(process.execPath, [cli, 'schedule', 'set', 'disp-1', '--dose', `1@${at}`, '--tz', 'UTC', '--window', '30m', '--remind', '0m,10m', '--data', dataDir]);
    expect(set.stdout).toMatch(/schedule v1 of disp-1/);
    await waitFor(() => dispenser.receivedSchedules.length === 1, 10_000, 'the schedule at the dispenser');
    // The dose becomes due: the reminder reaches the dispenser, which takes the dose and acknowledges.
    skipMs = due.getTime() - Date.now() + 1000;
    await waitFor(() => dispenser.protocol.receivedReminders.length >= 1, 10_000, 'the reminder at the dispenser');
    expect(dispenser.protocol.receivedReminders[0]).toMatchObject({ slot: 1, scheduled: due.getTime(), n: 1 });
    await dispenser.drain(10_000);
    const linked = () =>
      gateway.store.log.size() > 0 &&
      Array.from({ length: gateway.store.log.size() }, (_, i) => decodeLogEntry(gateway.store.log.readEntry(i))).filter(
        (e) => e.contentType === 'gateway' && decodeDosingEntry(e.original)?.event === 'ack',
      ).length === 2;
    await waitFor(linked, 10_000, 'both acknowledgements linked');
    const shown = JSON.parse((await run(process.execPath, [cli, 'schedule', 'show', 'disp-1', '--json', '--data', dataDir])).stdout) as {
      sent: { ack_status: string | null };
      downlinks: { type: string; ack_status: string | null }[];
      dose_events: { event: string }[];
    };
    expect(shown.sent.ack_status).toBe('accepted');
    expect(shown.downlinks.map((d) => [d.type, d.ack_status])).toStrictEqual([
      ['reminder', 'accepted'],
      ['schedule', 'accepted'],
    ]);
    expect(shown.dose_events.map((e) => e.event)).toStrictEqual(['taken']);

    // Stop (a final checkpoint covers everything), export, verify.
    await dispenser.stop();
    await gateway.stop();
    stopped = true;
    const bundleFile = path.join(dir, 'bundle.json');
    await run(process.execPath, [cli, 'export', '--data', dataDir, '--out', bundleFile]);
    const verified = await run(process.execPath, [cli, 'verify', bundleFile, '--gateway-key', gateway.verifierKey, '--json']);
    const report = JSON.parse(verified.stdout) as { verdict: string; exitCode: number; warnings: unknown[]; counts: { attestedEntries: number; signedEntries: number; gatewayEntries: number; entries: number; entriesVerified: number } };
    expect(report).toMatchObject({ verdict: 'valid', exitCode: 0 });
    expect(report.counts.entriesVerified).toBe(report.counts.entries);
    expect(report.counts.attestedEntries).toBe(3);
    expect(report.counts.signedEntries).toBe(4); // status, downlink_ack x2, taken
    // No warning either: the keyless enrolments are read as devices without a key, not as unreadable changes.
    expect(report.warnings).toStrictEqual([]);

    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as { entries: { entry: string }[]; devices: { id: string }[] };
    const entries = bundle.entries.map((e) => decodeLogEntry(new Uint8Array(Buffer.from(e.entry, 'base64'))));
    expect(entries.filter((e) => e.contentType.startsWith('gatt:')).map((e) => `${e.deviceId} ${e.contentType} ${e.transport}`).sort()).toStrictEqual([
      'bp-1 gatt:2a35 ble',
      'hr-1 gatt:2a37 ble',
      'ox-1 gatt:2a5e ble',
    ]);
    const signed = entries.filter((e) => e.contentType === 'cose-sign1');
    expect(signed.every((e) => e.deviceId === 'disp-1' && e.transport === 'serial')).toBe(true);
    expect(signed.map((e) => decodeDeviceMessage(e.original).payload.type)).toStrictEqual(['device_status', 'downlink_ack', 'downlink_ack', 'dose_event']);
    // Only devices with a key are listed (the bundle requires public_key); the BLE values need none.
    expect(bundle.devices.map((d) => d.id)).toStrictEqual(['disp-1']);
    const events = entries.filter((e) => e.contentType === 'gateway').map((e) => decodeDosingEntry(e.original)?.event ?? (decodeClockOffsetEntry(e.original) === null ? '?' : 'clock-offset'));
    expect(events.filter((e) => e === 'clock-offset')).toHaveLength(3);
    expect(events.filter((e) => e !== 'clock-offset')).toStrictEqual(['schedule-set', 'schedule-sent', 'ack', 'reminder-sent', 'ack']);
  });
});
