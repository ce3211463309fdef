/**
 * The gateway process in-process: real data directory, real MQTT clients over sockets, real worker threads
 * (build first: `npx tsc -b`).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createConnectToken, decodeDeviceMessage } from '@trialgate/firmware-protocol';
import { decodeLogEntry, openCheckpoint, createNoteVerifier, parseVerifierKey } from '@trialgate/proof-formats';
import { Queue } from 'bullmq';
import mqtt from 'mqtt';
import { CHECKPOINT_QUEUE_NAME, deleteKeysUnderPrefix } from '@trialgate/proof-formats';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveGatewayConfig } from './config/resolve-gateway-config.js';
import { openNotice } from './downlink/notice.js';
import { startGateway, type RunningGateway } from './gateway.js';
import { testDevice, type TestDevice } from './ingest/ingest-test-kit.js';
import { downlinkTopic, uplinkTopic } from './mqtt/device-topics.js';
import { silentLogger } from './observability/logger.js';
import { openAdmin } from './api/admin-open.js';
import { encodePublicKeyText } from './registry/public-key-text.js';
import { systemClock } from './clock.js';
import { openLogStore } from './storage/log-store.js';

const ORIGIN = 'test.example/site-1/gw-int';
const running: RunningGateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((g) => g.stop()));
});

function config(dataDir: string, extra: Record<string, string> = {}) {
  return resolveGatewayConfig({
    flags: { data: dataDir, origin: ORIGIN, mqttHost: '127.0.0.1', mqttPort: '0', httpPort: '0', verifyWorkers: '2', checkpointInterval: '200ms', ...extra },
    env: {},
    cwd: process.cwd(),
    cores: 2,
  }).config;
}

async function start(dataDir: string, extra: Record<string, string> = {}): Promise<RunningGateway> {
  const gateway = await startGateway(config(dataDir, extra), { logger: silentLogger() });
  running.push(gateway);
  return gateway;
}

async function connect(gateway: RunningGateway, device: TestDevice): Promise<mqtt.MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.addresses.mqtt.tcp.port}`, {
    clientId: device.id,
    username: device.id,
    password: Buffer.from(createConnectToken({ deviceId: device.id, secretKey: device.signer, issuedAtMs: Date.now() })),
    reconnectPeriod: 0,
  });
}

describe('startGateway', () => {
  it('ingests over MQTT into the durable log, signs checkpoints, and continues after a restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tg-gw-'));
    const first = await start(dataDir);
    const device = testDevice('hr-1', systemClock);
    await first.admin.enrollDevice({ id: 'hr-1', public_key: encodePublicKeyText(device.publicKey), kind: 'wearable' }, 'test');
    const client = await connect(first, device);
    await client.subscribeAsync(downlinkTopic('hr-1'), { qos: 1 });
    const notices: Buffer[] = [];
    client.on('message', (_t, payload) => notices.push(payload));
    const sent = Array.from({ length: 20 }, (_, i) => Buffer.from(device.message(i + 1)));
    for (const message of sent) await client.publishAsync(uplinkTopic('hr-1'), message, { qos: 1 });
    // A retransmission: acknowledged, not logged twice, and the device is told.
    await client.publishAsync(uplinkTopic('hr-1'), sent[19] ?? Buffer.alloc(0), { qos: 1 });
    while (notices.length < 1) await new Promise((r) => setTimeout(r, 10));
    expect(openNotice(notices[0] ?? Buffer.alloc(0), { origin: ORIGIN, gatewayPublicKey: parseVerifierKey(first.verifierKey).publicKey, device: 'hr-1' })).toMatchObject({
      code: 'E_SEQ_DUPLICATE',
      disposition: 'duplicate',
      seq: 20,
    });
    expect(first.store.log.size()).toBe(21);
    await client.endAsync();
    await first.stop();
    running.splice(running.indexOf(first), 1);
    // The final checkpoint covers everything logged.
    expect(first.checkpointer.latest()?.treeSize).toBe(21);

    const second = await start(dataDir);
    expect(second.store.log.size()).toBe(21);
    expect(second.registry.get('hr-1')?.status).toBe('active');
    const again = await connect(second, device);
    await again.publishAsync(uplinkTopic('hr-1'), Buffer.from(device.message(21)), { qos: 1 });
    await again.endAsync();
    expect(second.store.log.size()).toBe(22);
    const note = second.checkpointer.latest()?.note ?? '';
    const opened = openCheckpoint(note, [createNoteVerifier(ORIGIN, parseVerifierKey(second.verifierKey).publicKey)]);
    expect(opened.checkpoint.origin).toBe(ORIGIN);
    // Entries are what the device sent, byte for byte.
    const entry = decodeLogEntry(second.store.log.readEntry(21));
    expect(entry).toMatchObject({ transport: 'mqtt', deviceId: 'hr-1', contentType: 'cose-sign1' });
    expect(decodeDeviceMessage(entry.original).payload.seq).toBe(21);
  });

  it('lets the CLI\'s admin path change the registry of a running gateway, which applies it at once', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tg-gw-'));
    const gateway = await start(dataDir);
    const device = testDevice('cuff-1', systemClock);
    const admin = await openAdmin({ dataDir, clock: systemClock, holder: 'test' });
    expect(admin.mode).toBe('gateway');
    await admin.operations.enrollDevice({ id: 'cuff-1', public_key: encodePublicKeyText(device.publicKey), kind: 'bp_cuff' }, 'cli');
    const client = await connect(gateway, device);
    await client.publishAsync(uplinkTopic('cuff-1'), Buffer.from(device.message(1)), { qos: 1 });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await admin.operations.changeDevice('cuff-1', { op: 'suspend' }, 'cli');
    await closed;
    expect(gateway.store.log.size()).toBe(3);
  });

  it('stops while devices are still connected', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tg-gw-'));
    const gateway = await start(dataDir);
    const device = testDevice('w-1', systemClock);
    await gateway.admin.enrollDevice({ id: 'w-1', public_key: encodePublicKeyText(device.publicKey), kind: 'wearable' }, 'test');
    const client = await connect(gateway, device);
    await client.subscribeAsync(downlinkTopic('w-1'), { qos: 1 });
    await client.publishAsync(uplinkTopic('w-1'), Buffer.from(device.message(1)), { qos: 1 });
    await gateway.stop();
    running.splice(running.indexOf(gateway), 1);
    expect(gateway.checkpointer.latest()?.treeSize).toBe(2);
    await client.endAsync(true);
  });

  it('serves the signed checkpoint over HTTP and hands checkpoints to the anchor queue on Redis', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tg-gw-'));
    // The machine's Redis, isolated by a key prefix of our own, removed afterwards.
    const prefix = `tg-test-${process.pid}-${Date.now()}`;
    const gateway = await start(dataDir, { redis: 'redis://127.0.0.1:6379', queuePrefix: prefix });
    const queue = new Queue(CHECKPOINT_QUEUE_NAME, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    try {
      const device = testDevice('hr-2', systemClock);
      await gateway.admin.enrollDevice({ id: 'hr-2', public_key: encodePublicKeyText(device.publicKey), kind: 'wearable' }, 'test');
      const client = await connect(gateway, device);
      await client.publishAsync(uplinkTopic('hr-2'), Buffer.from(device.message(1)), { qos: 1 });
      await client.endAsync();
      const checkpoint = await gateway.checkpointer.checkpointNow();
      expect(checkpoint?.treeSize).toBe(2);
      const response = await fetch(`${gateway.addresses.http}/checkpoint`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(`${ORIGIN}\n2\n`);
      let jobs = 0;
      for (let i = 0; i < 100 && jobs === 0; i += 1) {
        jobs = await queue.count();
        if (jobs === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(jobs).toBeGreaterThan(0);
      expect(gateway.anchoring.outbox?.backlog()).toBe(0);
    } finally {
      await gateway.stop();
      running.splice(running.indexOf(gateway), 1);
      await queue.obliterate({ force: true });
      await queue.close();
      // The gateway's own results queue lives under the prefix too: remove every key of ours.
      const redis = new Redis('redis://127.0.0.1:6379');
      try {
        await deleteKeysUnderPrefix(redis, prefix);
        expect(await redis.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 1000)).toEqual(['0', []]);
      } finally {
        redis.disconnect();
      }
    }
  });

  it('refuses a second writer on the same data directory', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tg-gw-'));
    await start(dataDir);
    await expect(startGateway(config(dataDir), { logger: silentLogger() })).rejects.toMatchObject({ code: 'E_STORAGE_LOCKED' });
    expect(() => openLogStore({ dataDir })).toThrow(/in use/);
  });
});
