/**
 * Security suite, devices (issue 7; docs/SECURITY.md "Devices"): against the real gateway in this process
 * (durable log, durable connect-token memory, verify worker threads; build first), over real MQTT sockets.
 *
 * - Only an enrolled, active device with a fresh token of its own, signed by its registered key and never
 *   used before, connects (spec section 3); every refusal is CONNACK 5, recorded in quarantine and logged.
 * - A used token stays used across a gateway restart for the rest of its 300 s window, and across kill -9 of
 *   the `trialgate gateway` process right after its CONNACK.
 * - A device cannot publish as another (its topic, its kid, its `dev`): quarantined, logged, connection
 *   closed, nothing appended (spec section 7); nor read another's downlink, nor use wildcards or `$SYS`.
 *
 * The broker-level unit of the same rules, over a memory log and a manual clock, is
 * gateway/src/mqtt/mqtt-broker.int.test.ts; this suite checks them on the assembled gateway.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { generate as generatePacket } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BUILT, eventually, runCli, startCli, type CliDaemon } from '../e2e/cli-processes.js';
import { CborTag, decodeCborStrict, encodeCbor, type CborMapKey, type CborValue } from '@trialgate/firmware-protocol';
import {
  closedByGateway,
  connackCode,
  publishOutcome,
  removeDataDir,
  securityDevice,
  startSecurityGateway,
  stopAllSecurityGateways,
  ShiftedClock,
  until,
  type SecurityGateway,
  type LogLine,
} from './security-gateway.js';

const dirs: string[] = [];
afterEach(async () => {
  await stopAllSecurityGateways();
  for (const dir of dirs.splice(0)) removeDataDir(dir);
});

async function start(options: Parameters<typeof startSecurityGateway>[0] = {}): Promise<SecurityGateway> {
  const g = await startSecurityGateway(options);
  if (!dirs.includes(g.dataDir)) dirs.push(g.dataDir);
  return g;
}

const up = (id: string): string => `tg/v1/dev/${id}/up`;
const down = (id: string): string => `tg/v1/dev/${id}/down`;

/** The SUBACK return codes of one SUBSCRIBE (mqtt.js turns a failure code into an error, so read the packet). */
function subackCodes(client: mqtt.MqttClient, filters: readonly string[]): Promise<number[]> {
  return new Promise((resolve) => {
    const onPacket = (packet: mqtt.Packet): void => {
      if (packet.cmd !== 'suback') return;
      client.off('packetreceive', onPacket);
      resolve([...(packet.granted as number[])]);
    };
    client.on('packetreceive', onPacket);
    client.subscribe([...filters], { qos: 1 }, () => undefined);
  });
}

function linesWith(g: SecurityGateway, fields: Readonly<Record<string, unknown>>): LogLine[] {
  return g.lines().filter((line) => Object.entries(fields).every(([k, v]) => line[k] === v));
}

/** Waits for the quarantine record of a refused connection (written after the CONNACK, not before). */
async function refusalRecorded(g: SecurityGateway, count: number): Promise<void> {
  await until(() => g.quarantine().length >= count, `${count} quarantine records`);
}

describe('security: who may connect', () => {
  it('refuses unregistered, suspended, retired, keyless and MQTT-less devices, and lets an active one in', async () => {
    const g = await start();
    const active = await g.enroll('sec-active');
    const suspended = await g.enroll('sec-suspended');
    const retired = await g.enroll('sec-retired');
    const serialOnly = await g.enroll('sec-serial-only', { kind: 'pill_dispenser', transports: ['serial'] });
    // A BLE health device cannot sign: it is enrolled without a key, and whatever key signs a token for it, it
    // does not connect over MQTT.
    await g.gateway.admin.enrollDevice({ id: 'sec-ble-only', public_key: null, kind: 'bp_cuff', transports: ['ble'] }, 'security-test');
    const bleOnly = securityDevice('sec-ble-only');
    const stranger = securityDevice('sec-stranger');
    await g.gateway.admin.changeDevice('sec-suspended', { op: 'suspend' }, 'security-test');
    await g.gateway.admin.changeDevice('sec-retired', { op: 'retire' }, 'security-test');

    const attempt = (device: typeof active): Promise<number | string> =>
      connackCode(g.mqttUrl, { clientId: device.id, username: device.id, password: device.token() });
    expect(await attempt(stranger)).toBe(5);
    expect(await attempt(suspended)).toBe(5);
    expect(await attempt(retired)).toBe(5);
    expect(await attempt(serialOnly)).toBe(5);
    expect(await attempt(bleOnly)).toBe(5);
    expect(await attempt(active)).toBe(0);
    await refusalRecorded(g, 5);
    expect(g.quarantine().map((r) => [r.reason, r.claimedDeviceId, r.source, r.original.length])).toEqual([
      ['E_DEVICE_UNKNOWN', 'sec-stranger', 'mqtt-connect', 0],
      ['E_DEVICE_SUSPENDED', 'sec-suspended', 'mqtt-connect', 0],
      ['E_DEVICE_RETIRED', 'sec-retired', 'mqtt-connect', 0],
      ['E_DEVICE_TRANSPORT', 'sec-serial-only', 'mqtt-connect', 0],
      [expect.stringMatching(/^E_DEVICE_(NO_KEY|TRANSPORT)$/), 'sec-ble-only', 'mqtt-connect', 0],
    ]);
    for (const reason of ['E_DEVICE_UNKNOWN', 'E_DEVICE_SUSPENDED', 'E_DEVICE_RETIRED']) {
      expect(linesWith(g, { event: 'connect_refused', reason }), reason).toHaveLength(1);
    }
    // Resuming the suspended device lets it in again; retiring is final.
    await g.gateway.admin.changeDevice('sec-suspended', { op: 'resume' }, 'security-test');
    expect(await attempt(suspended)).toBe(0);
    await expect(g.gateway.admin.changeDevice('sec-retired', { op: 'resume' }, 'security-test')).rejects.toBeDefined();
    expect(await attempt(retired)).toBe(5);
  });

  it('disconnects a connected device the moment it is suspended or retired, and refuses it afterwards', async () => {
    const g = await start();
    const a = await g.enroll('sec-a');
    const b = await g.enroll('sec-b');
    const ca = await g.connect(a);
    const cb = await g.connect(b);
    await g.gateway.admin.changeDevice('sec-a', { op: 'suspend' }, 'security-test');
    await g.gateway.admin.changeDevice('sec-b', { op: 'retire' }, 'security-test');
    await closedByGateway(ca);
    await closedByGateway(cb);
    expect(await connackCode(g.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password: a.token() })).toBe(5);
    expect(await connackCode(g.mqttUrl, { clientId: 'sec-b', username: 'sec-b', password: b.token() })).toBe(5);
  });

  it('refuses a token of another device, a bad signature, an expired or future token, and odd CONNECTs', async () => {
    const g = await start();
    const a = await g.enroll('sec-a');
    const b = await g.enroll('sec-b');
    const impostor = securityDevice('sec-a'); // same id, another key: what an attacker can make
    const flipped = a.token();
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] ?? 0) ^ 0x01;
    const now = Date.now();
    const base = { clientId: 'sec-a', username: 'sec-a' };
    const attempts: [string, Parameters<typeof connackCode>[1]][] = [
      ['E_CONNECT_TOKEN_DEVICE', { ...base, password: b.token() }],
      ['E_COSE_SIGNATURE', { ...base, password: impostor.token() }],
      ['E_COSE_SIGNATURE', { ...base, password: flipped }],
      ['E_CONNECT_TOKEN_EXPIRED', { ...base, password: a.token(now - 301_000) }],
      ['E_CONNECT_TOKEN_EXPIRED', { ...base, password: a.token(now + 301_000) }],
      ['E_CONNECT_CLIENT_ID', { clientId: 'sec-a', username: 'sec-b', password: a.token() }],
      ['E_CONNECT_CLIENT_ID', { clientId: 'not a device id!', username: 'not a device id!', password: a.token() }],
      ['E_CONNECT_NO_TOKEN', { ...base }],
      ['E_CONNECT_WILL', { ...base, password: a.token(), will: { topic: up('sec-a'), payload: Buffer.from('x'), qos: 1, retain: false } }],
    ];
    for (const [reason, options] of attempts) expect(await connackCode(g.mqttUrl, options), reason).toBe(5);
    await refusalRecorded(g, attempts.length);
    expect(g.quarantine().map((r) => r.reason)).toEqual(attempts.map(([reason]) => reason));
    // A refused token is kept only as its digest.
    for (const record of g.quarantine()) {
      expect(record.original).toHaveLength(0);
    }
    // A token 299 s old is still inside the window.
    expect(await connackCode(g.mqttUrl, { ...base, password: a.token(Date.now() - 299_000) })).toBe(0);
  });

  it('accepts a token once: a replay is refused while the first session lives and after it ended', async () => {
    const g = await start();
    const a = await g.enroll('sec-a');
    const token = a.token();
    const first = await mqtt.connectAsync(g.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password: token, protocolVersion: 4, reconnectPeriod: 0 });
    expect(await connackCode(g.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password: token })).toBe(5);
    expect(first.connected).toBe(true); // the replay did not take the session over
    await first.endAsync();
    expect(await connackCode(g.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password: token })).toBe(5);
    await refusalRecorded(g, 2);
    expect(g.quarantine().map((r) => r.reason)).toEqual(['E_CONNECT_TOKEN_REPLAYED', 'E_CONNECT_TOKEN_REPLAYED']);
  });

  it('remembers used tokens across a restart for the rest of their 300 s window', async () => {
    const clock = new ShiftedClock();
    const g1 = await start({ clock });
    const a = await g1.enroll('sec-a');
    const token = a.token();
    expect(await connackCode(g1.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password: token })).toBe(0);
    await g1.stop();
    // The gateway comes back 290 s later (by its clock): the token is still fresh, so only the durable memory
    // of accepted tokens (DATA/connect-tokens.sqlite) can refuse it.
    clock.offsetMs = 290_000;
    const g2 = await start({ dataDir: g1.dataDir, clock });
    expect(await connackCode(g2.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password: token })).toBe(5);
    await refusalRecorded(g2, 1);
    expect(g2.quarantine().at(-1)?.reason).toBe('E_CONNECT_TOKEN_REPLAYED');
    // Past the window the freshness check refuses it (and the memory may forget it).
    await g2.stop();
    clock.offsetMs = 301_000;
    const g3 = await start({ dataDir: g1.dataDir, clock });
    expect(await connackCode(g3.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password: token })).toBe(5);
    await refusalRecorded(g3, 2);
    expect(g3.quarantine().at(-1)?.reason).toBe('E_CONNECT_TOKEN_EXPIRED');
    // The device itself, with a fresh token by the gateway's clock, still connects.
    expect(await connackCode(g3.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password: a.token(clock.now()) })).toBe(0);
  });

  it.skipIf(!CLI_BUILT)('remembers a used token across kill -9 of the trialgate gateway process', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tg-sec-kill-'));
    dirs.push(dir);
    const device = securityDevice('sec-killed');
    const added = await runCli(['devices', 'add', '--data', dir, '--id', device.id, '--public-key', Buffer.from(device.publicKey).toString('base64'), '--kind', 'wearable']);
    expect(added.code, added.stderr).toBe(0);
    const args = ['gateway', '--data', dir, '--origin', 'test.example/site-security/gw-kill', '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-port', '0', '--log-level', 'warn'];
    const brokerOf = async (daemon: CliDaemon): Promise<string> =>
      (await eventually(() => /listening on (mqtt:\/\/[^\s,;]+)/.exec(daemon.output())?.[1], 30_000, 'the gateway listening'));
    const first = startCli(args);
    const token = device.token();
    try {
      expect(await connackCode(await brokerOf(first), { clientId: device.id, username: device.id, password: token })).toBe(0);
    } finally {
      // At once after the CONNACK, without a chance to stop cleanly.
      first.child.kill('SIGKILL');
      await first.exited;
    }
    const second = startCli(args);
    try {
      expect(await connackCode(await brokerOf(second), { clientId: device.id, username: device.id, password: token })).toBe(5);
      expect(await connackCode(await brokerOf(second), { clientId: device.id, username: device.id, password: device.token() })).toBe(0);
      const listed = await eventually(async () => {
        const run = await runCli(['quarantine', 'list', '--data', dir, '--json']);
        const records = JSON.parse(run.stdout) as { reason: string }[];
        return records.length > 0 ? records : undefined;
      }, 20_000, 'the refusal recorded');
      expect(listed.map((r) => r.reason)).toEqual(['E_CONNECT_TOKEN_REPLAYED']);
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('never lets a mutated copy of a used token in (re-encoded, re-labelled, cut, extended, bit-flipped)', async () => {
    const g = await start();
    const a = await g.enroll('sec-a');
    const used = a.token();
    expect(await connackCode(g.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password: used })).toBe(0);
    // Structure-preserving variants: same signed content in another envelope (extra unprotected label, the
    // array re-encoded), which the replay memory must recognise as the same token (or the decoder refuse).
    const reLabelled = ((): Buffer => {
      const tagged = decodeCborStrict(used) as CborTag;
      const [protectedBytes, unprotected, payload, signature] = tagged.value as readonly CborValue[];
      const labels = new Map(unprotected as ReadonlyMap<CborMapKey, CborValue>);
      labels.set(33, new Uint8Array([1]));
      return Buffer.from(encodeCbor(new CborTag(18, [protectedBytes ?? null, labels, payload ?? null, signature ?? null])));
    })();
    const variants = fc.oneof(
      fc.constant(Buffer.from(reLabelled)),
      fc.nat(used.length - 1).map((at) => Buffer.concat([used.subarray(0, at), used.subarray(at + 1)])),
      fc.tuple(fc.nat(used.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
        const copy = Buffer.from(used);
        copy[at] = (copy[at] ?? 0) ^ x;
        return copy;
      }),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra) => Buffer.concat([used, extra])),
    );
    await fc.assert(
      fc.asyncProperty(variants, async (password) => {
        expect(await connackCode(g.mqttUrl, { clientId: 'sec-a', username: 'sec-a', password })).toBe(5);
      }),
      { numRuns: 40 },
    );
  });
});

describe('security: a device cannot act as another', () => {
  it('publishing on another device\'s topic, with its kid or its dev: quarantined, logged, connection closed, nothing logged', async () => {
    const g = await start();
    const a = await g.enroll('sec-a');
    const b = await g.enroll('sec-b');
    const fromB = b.message(1); // a genuine message of B that A captured on the wire
    // A's key, B's kid and dev: A cannot sign as B, but it can claim to be B.
    const kidOfB = a.message(7, { dev: 'sec-b' }, { kid: 'sec-b' });
    const cases: [string, string, Buffer][] = [
      ['E_TOPIC_OTHER_DEVICE', up('sec-b'), a.message(1)],
      ['E_TOPIC_OTHER_DEVICE', up('sec-b'), fromB],
      ['E_KID_NOT_SENDER', up('sec-a'), fromB],
      ['E_KID_NOT_SENDER', up('sec-a'), kidOfB],
      ['E_KID_MISMATCH', up('sec-a'), a.message(2, { dev: 'sec-b' })],
    ];
    const sizeBefore = g.gateway.store.log.size();
    for (const [reason, topic, bytes] of cases) {
      const client = await g.connect(a);
      expect(await publishOutcome(client, topic, bytes), reason).toBe('closed');
      await closedByGateway(client);
      await until(() => g.quarantine().some((r) => r.reason === reason && Buffer.from(r.original).equals(bytes)), `${reason} quarantined`);
    }
    expect(g.gateway.store.log.size()).toBe(sizeBefore);
    const records = g.quarantine();
    expect(records.map((r) => r.reason)).toEqual(cases.map(([reason]) => reason));
    expect(records.every((r) => r.details['impersonation'] === true && r.details['sender'] === 'sec-a')).toBe(true);
    for (const [reason] of cases) {
      expect(linesWith(g, { event: 'quarantined', reason, impersonation: true, sender: 'sec-a' }).length, reason).toBeGreaterThan(0);
    }
    // B's own message with the same bytes and seq is still B's to log: nothing was claimed in its name.
    const cb = await g.connect(b);
    expect(await publishOutcome(cb, up('sec-b'), fromB)).toBe('acked');
    expect(g.gateway.store.log.size()).toBe(sizeBefore + 1);
  });

  it('cannot subscribe to or receive another device\'s downlink; wildcards and $SYS are refused', async () => {
    const g = await start();
    const a = await g.enroll('sec-a');
    const b = await g.enroll('sec-b');
    const ca = await g.connect(a);
    const received: string[] = [];
    ca.on('message', (topic) => received.push(topic));
    // Wildcards and $SYS: SUBACK failure 0x80 each (MQTT 3.1.1 section 3.9.3), the connection stays.
    const filters = ['#', '+/+/+/+/+', 'tg/#', 'tg/v1/dev/+/down', '$SYS/#', '$SYS/+/heartbeat', down('sec-a')];
    expect(await subackCodes(ca, filters)).toEqual([128, 128, 128, 128, 128, 128, 1]);
    expect(ca.connected).toBe(true);
    // B is told about its own refused message on its downlink; A hears nothing of it.
    const cb = await g.connect(b);
    const bNotices: string[] = [];
    cb.on('message', (topic) => bNotices.push(topic));
    await cb.subscribeAsync(down('sec-b'), { qos: 1 });
    const broken = b.message(1);
    broken[broken.length - 1] = (broken[broken.length - 1] ?? 0) ^ 0xff;
    expect(await publishOutcome(cb, up('sec-b'), broken)).toBe('acked');
    await until(() => bNotices.length === 1, 'B\'s notice');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toEqual([]);
    // Naming B's downlink is acting as B: the connection is closed.
    const spy = await g.connect(a);
    spy.subscribe(down('sec-b'), { qos: 1 });
    await closedByGateway(spy);
    expect(linesWith(g, { event: 'subscribe_refused', impersonation: true, deviceId: 'sec-a' })).toHaveLength(1);
    // A malformed filter is a protocol error (MQTT-4.7.1-2): aedes closes the connection before our hook sees
    // it. Written raw: mqtt.js would not send it.
    const malformed = await g.connect(a);
    malformed.stream.write(generatePacket({ cmd: 'subscribe', messageId: 77, subscriptions: [{ topic: 'tg/#/down', qos: 1 }] }));
    await closedByGateway(malformed);
  });

  it('refuses publishing to wildcard and $SYS topics: connection closed, and the message quarantined', async () => {
    const g = await start();
    const a = await g.enroll('sec-a');
    const topics = ['tg/v1/dev/+/up', 'tg/v1/dev/#', '#', '$SYS/broker/clients', '$SYS/x/up'];
    const sizeBefore = g.gateway.store.log.size();
    for (const [i, topic] of topics.entries()) {
      const client = await g.connect(a);
      const bytes = a.message(i + 1);
      expect(await publishOutcome(client, topic, bytes), topic).toBe('closed');
      await until(() => g.quarantine().some((r) => Buffer.from(r.original).equals(bytes)), `the publish to ${topic} quarantined`);
    }
    expect(g.gateway.store.log.size()).toBe(sizeBefore);
    expect(g.quarantine().map((r) => [r.reason, r.details['topic']])).toEqual(topics.map((topic) => ['E_TOPIC_NOT_ALLOWED', topic]));
  });
});
