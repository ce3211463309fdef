/**
 * Dose schedules and reminders over MQTT: a simulated pill dispenser of device-sim (`startSimulation`, its
 * MQTT device and model) gets its schedule on its downlink topic, acknowledges it with a signed
 * `downlink_ack`, gets a reminder when the dose is due, acknowledges that too, and the gateway links both
 * acknowledgements in its log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeDeviceMessage } from '@trialgate/firmware-protocol';
import { decodeLogEntry, type LogEntry } from '@trialgate/proof-formats';
import { createFleet, formatRegistryImport, parseGatewayKey, startSimulation, systemClock as simClock } from '@trialgate/device-sim';
import { createDosingClient, decodeDosingEntry, resolveGatewayConfig, silentLogger, startGateway } from '@trialgate/gateway';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './transport-kit.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('dosing over MQTT', () => {
  it('a simulated MQTT dispenser receives its schedule and a reminder, and its signed acknowledgements are logged and linked', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-mqtt-dosing-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    let skipMs = 0;
    const clock = { now: () => Date.now() + skipMs };
    const config = resolveGatewayConfig({
      flags: { data: path.join(dir, 'data'), origin: 'test.example/site-6/gw-mqtt', mqttHost: '127.0.0.1', mqttPort: '0', httpHost: '127.0.0.1', httpPort: '0', verifyWorkers: '0' },
      env: {},
      cwd: dir,
      cores: 2,
    }).config;
    const gateway = await startGateway(config, { clock, logger: silentLogger(), deviceServices: { dosing: { tickMs: 100, resendAfterMs: 3000 } } });
    cleanup.push(() => gateway.stop());
    const fleet = createFleet({ size: 1, seed: 11, mix: { pill_dispenser: 1 } });
    const device = fleet.devices[0];
    if (device === undefined) throw new Error('no device');
    await gateway.admin.importDevices(formatRegistryImport(fleet), 'test');
    const simulation = await startSimulation({
      brokerUrl: `mqtt://127.0.0.1:${gateway.addresses.mqtt.tcp.port}`,
      fleet,
      durationMs: 30_000,
      clock: simClock,
      gatewayKey: parseGatewayKey(Buffer.from(gateway.downlinkSigner.publicKey).toString('base64')),
    });
    cleanup.push(() => simulation.stop());
    await waitFor(() => gateway.broker.aedes.connectedClients === 1, 10_000, 'the dispenser to connect');

    const socket = gateway.addresses.adminSocket;
    if (socket === null) throw new Error('no admin socket');
    const due = Math.ceil((clock.now() + 120_000) / 60_000) * 60_000;
    const at = new Date(due).toISOString().slice(11, 16);
    await createDosingClient(socket).setSchedule(device.id, { tz: 'UTC', window_min: 30, remind_min: [0], doses: [{ slot: 1, at }] }, 'test');

    const entries = (): LogEntry[] => Array.from({ length: gateway.store.log.size() }, (_, i) => decodeLogEntry(gateway.store.log.readEntry(i)));
    const acks = (): string[] => entries().flatMap((e) => {
      const record = e.contentType === 'gateway' ? decodeDosingEntry(e.original) : null;
      return record?.event === 'ack' ? [`${record.of} ${record.status} ${record.refEntry === null ? 'unknown' : 'known'} ${e.transport}`] : [];
    });
    await waitFor(() => acks().length === 1, 10_000, 'the schedule acknowledged');
    skipMs = due - Date.now() + 1000;
    await waitFor(() => acks().length === 2, 10_000, 'the reminder acknowledged');
    expect(acks()).toStrictEqual(['schedule accepted known mqtt', 'reminder accepted known mqtt']);
    const sent = entries().flatMap((e) => (e.contentType === 'gateway' ? [decodeDosingEntry(e.original)?.event] : []));
    expect(sent).toStrictEqual(['schedule-set', 'schedule-sent', 'ack', 'reminder-sent', 'ack']);
    const deviceAcks = entries().filter((e) => e.contentType === 'cose-sign1' && decodeDeviceMessage(e.original).payload.type === 'downlink_ack');
    expect(deviceAcks.map((e) => [e.deviceId, e.transport])).toStrictEqual([
      [device.id, 'mqtt'],
      [device.id, 'mqtt'],
    ]);
  });
});
