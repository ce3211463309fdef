/**
 * The embedded broker with real mqtt.js clients over real sockets on free ports (never 1883: the machine's
 * Mosquitto holds it), over a memory log.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { openNotice } from '../downlink/notice.js';
import { testDevice } from '../ingest/ingest-test-kit.js';
import type { GatewayLog } from '../storage/gateway-log.js';
import { brokerKit, closed, nextMessage, TEST_ORIGIN, type BrokerKit } from './mqtt-test-kit.js';
import { downlinkTopic, uplinkTopic } from './device-topics.js';

let kit: BrokerKit | null = null;
afterEach(async () => {
  await kit?.close();
  kit = null;
});

async function start(options: Parameters<typeof brokerKit>[0] = {}): Promise<BrokerKit> {
  kit = await brokerKit(options);
  return kit;
}

function refusedCode(promise: Promise<unknown>): Promise<number | string> {
  return promise.then(
    () => 'connected',
    (error: unknown) => (error as { code?: number }).code ?? String(error),
  );
}

describe('MQTT broker: connect tokens', () => {
  it('accepts an enrolled, active device with a fresh token, once per token', async () => {
    const k = await start();
    const device = await k.enroll('hr-1');
    const token = k.token(device);
    const first = await mqtt.connectAsync(k.url, { clientId: 'hr-1', username: 'hr-1', password: token, reconnectPeriod: 0 });
    await first.endAsync();
    // The same token again: a replay.
    expect(await refusedCode(mqtt.connectAsync(k.url, { clientId: 'hr-1', username: 'hr-1', password: token, reconnectPeriod: 0 }))).toBe(5);
    await new Promise((r) => setTimeout(r, 20));
    expect(k.log.listQuarantine({ reason: 'E_CONNECT_TOKEN_REPLAYED' })).toHaveLength(1);
  });

  it('refuses every other connection with CONNACK 5, counts it and records it in quarantine', async () => {
    const k = await start();
    const active = await k.enroll('dev-a');
    const suspended = await k.enroll('dev-s');
    await k.admin.suspend('dev-s');
    const retired = await k.enroll('dev-r');
    await k.admin.retire('dev-r');
    const serialOnly = await k.enroll('dev-serial', ['serial']);
    const stranger = testDevice('dev-x', k.clock);
    // Enrolled without a key (a BLE health device); whoever signs a token in its name is refused.
    await k.admin.enroll({ id: 'dev-nokey', kind: 'hr-strap' });
    const keyless = testDevice('dev-nokey', k.clock);
    const base = { reconnectPeriod: 0, protocolVersion: 4 as const };
    const attempts: [string, Parameters<typeof mqtt.connectAsync>[1]][] = [
      ['E_DEVICE_UNKNOWN', { ...base, clientId: 'dev-x', username: 'dev-x', password: k.token(stranger) }],
      ['E_DEVICE_SUSPENDED', { ...base, clientId: 'dev-s', username: 'dev-s', password: k.token(suspended) }],
      ['E_DEVICE_RETIRED', { ...base, clientId: 'dev-r', username: 'dev-r', password: k.token(retired) }],
      ['E_DEVICE_TRANSPORT', { ...base, clientId: 'dev-serial', username: 'dev-serial', password: k.token(serialOnly) }],
      ['E_DEVICE_NO_KEY', { ...base, clientId: 'dev-nokey', username: 'dev-nokey', password: k.token(keyless) }],
      ['E_CONNECT_CLIENT_ID', { ...base, clientId: 'dev-a', username: 'dev-b', password: k.token(active) }],
      ['E_CONNECT_NO_TOKEN', { ...base, clientId: 'dev-a', username: 'dev-a' }],
      ['E_CBOR_TRUNCATED', { ...base, clientId: 'dev-a', username: 'dev-a', password: Buffer.from('secret') }],
      ['E_CONNECT_TOKEN_EXPIRED', { ...base, clientId: 'dev-a', username: 'dev-a', password: k.token(active, k.clock.now() - 301_000) }],
      ['E_CONNECT_TOKEN_EXPIRED', { ...base, clientId: 'dev-a', username: 'dev-a', password: k.token(active, k.clock.now() + 301_000) }],
      ['E_CONNECT_TOKEN_DEVICE', { ...base, clientId: 'dev-s', username: 'dev-s', password: k.token(active) }],
      // A token signed by another key than the registered one.
      ['E_COSE_SIGNATURE', { ...base, clientId: 'dev-a', username: 'dev-a', password: k.token(testDevice('dev-a', k.clock)) }],
      ['E_CONNECT_WILL', { ...base, clientId: 'dev-a', username: 'dev-a', password: k.token(active), will: { topic: uplinkTopic('dev-a'), payload: Buffer.from('x'), qos: 1, retain: false } }],
    ];
    for (const [reason, options] of attempts) {
      expect(await refusedCode(mqtt.connectAsync(k.url, options)), reason).toBe(5);
    }
    // Refusals are recorded without blocking the CONNACK: wait for the last write.
    await new Promise((r) => setTimeout(r, 20));
    const recorded = k.log.listQuarantine().map((r) => r.reason);
    expect(recorded).toEqual(attempts.map(([reason]) => reason));
    // A token is never stored: only its digest.
    for (const record of k.log.listQuarantine()) expect(record.original).toHaveLength(0);
    const metrics = await k.metrics.registry.metrics();
    expect(metrics).toContain('trialgate_mqtt_connections_refused_total{reason="E_CONNECT_TOKEN_EXPIRED"} 2');
    // The device itself still connects.
    const client = await k.connect(active);
    expect(client.connected).toBe(true);
  });
});

describe('MQTT broker: publishing', () => {
  it('sends the PUBACK only once the entry is durable in the log', async () => {
    const k = await start();
    const device = await k.enroll('hr-1');
    // Hold every append until released: the PUBACK must wait for it.
    const gate = { release: (): void => undefined };
    const held = new Promise<void>((r) => {
      gate.release = r;
    });
    const log = k.log as GatewayLog;
    const original = log.append.bind(log);
    log.append = async (entry, claim) => {
      await held;
      return original(entry, claim);
    };
    const client = await k.connect(device);
    let acked = false;
    const publishing = client.publishAsync(uplinkTopic('hr-1'), Buffer.from(device.message(1)), { qos: 1 }).then(() => {
      acked = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(acked).toBe(false);
    expect(k.log.size()).toBe(1); // only the enrolment
    gate.release();
    await publishing;
    expect(k.log.size()).toBe(2);
  });

  it('acknowledges a quarantined message from the device itself and tells it why on its downlink', async () => {
    const k = await start();
    const device = await k.enroll('hr-1');
    const client = await k.connect(device);
    await client.subscribeAsync(downlinkTopic('hr-1'), { qos: 1 });
    const notices: Buffer[] = [];
    client.on('message', (_topic, payload) => notices.push(payload));
    const forged = device.message(1);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0xff;
    await client.publishAsync(uplinkTopic('hr-1'), Buffer.from(forged), { qos: 1 });
    const valid = device.message(2);
    await client.publishAsync(uplinkTopic('hr-1'), Buffer.from(valid), { qos: 1 });
    await client.publishAsync(uplinkTopic('hr-1'), Buffer.from(valid), { qos: 1 });
    while (notices.length < 2) await nextMessage(client);
    const expected = { origin: TEST_ORIGIN, gatewayPublicKey: k.signer.publicKey, device: 'hr-1' };
    expect(notices.map((n) => openNotice(n, expected))).toMatchObject([
      { code: 'E_COSE_SIGNATURE', disposition: 'quarantined', seq: 1 },
      { code: 'E_SEQ_DUPLICATE', disposition: 'duplicate', seq: 2 },
    ]);
    expect(k.log.size()).toBe(2);
    expect(client.connected).toBe(true);
  });

  it('closes the connection of a device acting as another (topic, kid, dev), and quarantines the message', async () => {
    const k = await start();
    const a = await k.enroll('dev-a');
    const b = await k.enroll('dev-b');
    const cases: [string, string, Uint8Array][] = [
      ['E_TOPIC_OTHER_DEVICE', uplinkTopic('dev-b'), a.message(1)],
      ['E_KID_NOT_SENDER', uplinkTopic('dev-a'), b.message(1)],
      ['E_KID_MISMATCH', uplinkTopic('dev-a'), a.message(2, { dev: 'dev-b' })],
      ['E_TOPIC_NOT_ALLOWED', 'somewhere/else', a.message(3)],
      ['E_TOPIC_NOT_ALLOWED', downlinkTopic('dev-a'), a.message(4)],
    ];
    for (const [reason, topic, bytes] of cases) {
      const client = await k.connect(a);
      client.publish(topic, Buffer.from(bytes), { qos: 1 });
      await closed(client);
      expect(k.log.listQuarantine().at(-1)?.reason, reason).toBe(reason);
    }
    expect(k.log.listQuarantine().map((r) => r.details['impersonation'])).toEqual([true, true, true, false, false]);
    // Nothing of it reached the log, and device B's messages were never forged into it.
    expect(k.log.size()).toBe(2);
  });

  it('routes an acknowledged uplink message no further (no aedes publish), while downlink notices still go out', async () => {
    const k = await start();
    const device = await k.enroll('hr-1');
    const routed: string[] = [];
    k.broker.aedes.on('publish', (packet) => {
      if (!packet.topic.startsWith('$SYS')) routed.push(packet.topic);
    });
    const client = await k.connect(device);
    await client.subscribeAsync(downlinkTopic('hr-1'), { qos: 1 });
    await client.publishAsync(uplinkTopic('hr-1'), Buffer.from(device.message(1)), { qos: 1 });
    // A retransmission: acknowledged again, and a duplicate notice goes out on the downlink.
    await client.publishAsync(uplinkTopic('hr-1'), Buffer.from(device.message(1)), { qos: 1 });
    await nextMessage(client);
    expect(k.log.size()).toBe(2);
    // Issue 7: notices are written on the device's own connection, not routed through aedes' emitter either
    // (a client that reads nothing must not hold up every publish): nothing at all is routed.
    expect(routed).toEqual([]);
  });

  it('never lets a device read another device\'s downlink', async () => {
    const k = await start();
    const a = await k.enroll('dev-a');
    await k.enroll('dev-b');
    const wildcard = await k.connect(a);
    const suback = new Promise<unknown>((resolve) => {
      wildcard.on('packetreceive', (packet) => {
        if (packet.cmd === 'suback') resolve(packet.granted);
      });
    });
    wildcard.subscribe(['tg/#', 'tg/v1/dev/+/down', '#'], { qos: 1 }, () => undefined);
    // SUBACK failure 0x80 for each (MQTT 3.1.1 section 3.9.3).
    expect(await suback).toEqual([128, 128, 128]);
    const named = await k.connect(a);
    named.subscribe(downlinkTopic('dev-b'), { qos: 1 });
    await closed(named);
    expect(await k.metrics.registry.metrics()).toContain('trialgate_mqtt_subscriptions_refused_total 4');
  });

  it('disconnects a device as soon as it is suspended', async () => {
    const k = await start();
    const device = await k.enroll('hr-1');
    const client = await k.connect(device);
    await k.admin.suspend('hr-1');
    await closed(client);
    expect(client.connected).toBe(false);
  });
});

describe('MQTT broker: packet sizes', () => {
  it('quarantines a message over the limit but cuts off a packet far beyond it before buffering it', async () => {
    const k = await start();
    const device = await k.enroll('hr-1');
    const client = await k.connect(device);
    // 8 KiB: over the 4 KiB message limit, within the packet slack: kept as received and quarantined.
    await client.publishAsync(uplinkTopic('hr-1'), Buffer.alloc(8 * 1024, 1), { qos: 1 });
    expect(k.log.listQuarantine({ reason: 'E_MESSAGE_TOO_LARGE' })).toHaveLength(1);
    // 2 MiB: the connection is closed as soon as the packet length is read.
    client.publish(uplinkTopic('hr-1'), Buffer.alloc(2 * 1024 * 1024, 2), { qos: 1 });
    await closed(client);
    expect(k.log.listQuarantine()).toHaveLength(1);
    expect(await k.metrics.registry.metrics()).toContain('trialgate_mqtt_oversize_packets_total 1');
    // Before CONNACK the bound is 8 KiB: a huge password is cut off too.
    const huge = mqtt.connect(k.url, { clientId: 'hr-1', username: 'hr-1', password: Buffer.alloc(20_000), reconnectPeriod: 0 });
    huge.on('error', () => undefined);
    let connected = false;
    huge.on('connect', () => {
      connected = true;
    });
    await new Promise<void>((resolve) => huge.once('close', () => resolve()));
    huge.end(true);
    expect(connected).toBe(false);
    expect(await k.metrics.registry.metrics()).toContain('trialgate_mqtt_oversize_packets_total 2');
  });
});

describe('MQTT broker: listeners', () => {
  it('serves MQTT over WebSocket', async () => {
    const k = await start({ listeners: { ws: { host: '127.0.0.1', port: 0, path: '/mqtt' } } });
    const device = await k.enroll('hr-1');
    const ws = k.broker.addresses.ws;
    if (ws === null) throw new Error('no WebSocket listener');
    const client = await mqtt.connectAsync(`ws://127.0.0.1:${ws.port}/mqtt`, {
      clientId: 'hr-1',
      username: 'hr-1',
      password: k.token(device),
      reconnectPeriod: 0,
    });
    await client.publishAsync(uplinkTopic('hr-1'), Buffer.from(device.message(1)), { qos: 1 });
    await client.endAsync();
    expect(k.log.size()).toBe(2);
  });

  it('serves MQTT over TLS', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-tls-'));
    const certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const k = await start({ listeners: { tls: { host: '127.0.0.1', port: 0, certFile, keyFile, caFile: null } } });
    const device = await k.enroll('hr-1');
    const tls = k.broker.addresses.tls;
    if (tls === null) throw new Error('no TLS listener');
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${tls.port}`, {
      clientId: 'hr-1',
      username: 'hr-1',
      password: k.token(device),
      reconnectPeriod: 0,
      rejectUnauthorized: false,
    });
    await client.publishAsync(uplinkTopic('hr-1'), Buffer.from(device.message(1)), { qos: 1 });
    await client.endAsync();
    expect(k.log.size()).toBe(2);
  });
});
