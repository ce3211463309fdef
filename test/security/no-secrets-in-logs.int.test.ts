/**
 * Security suite, "no secret or reading value in any log line" (issue 7; docs/SECURITY.md "Logs"): a short
 * full run with real processes, every one at its most verbose level (`trace`):
 *
 * - a private `redis-server` with a password (so the Redis URL holds a secret), a local anvil chain reached
 *   through an RPC URL with an API key in its query, a fresh anchoring key funded on it (in a key file);
 * - `trialgate gateway` (on a serial line too: a socat pseudo-terminal pair), `trialgate anchor` (the gateway
 *   key pinned) and `trialgate sim` (its own fleet, every fault kind);
 * - this test as devices with known keys: readings with distinctive values over MQTT and serial, a broken
 *   one, impersonation, accepted, replayed, expired, forged and unknown connect tokens;
 * - API tokens of each scope and a revoked one used against the API, an admin enrolment over HTTP, and the
 *   CLI on the running gateway.
 *
 * Then every line the processes wrote (their standard output and error, and the standard error of every CLI
 * command) is searched for every secret in every encoding we use (hex, base64, base64url at any byte
 * alignment, decimal byte lists, as text) and for every reading value (as a number, as its CBOR bytes, as
 * text). Positive controls check that the same needles do find these values where they are meant to be
 * (the fleet file, the key file, the API's answers), so the search cannot pass vacuously.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnectToken, encodeCbor, CborFloat, encodeSerialFrame, generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import { startAnvil, startRpcFaultProxy } from '@trialgate/anchor-service/testing';
import mqtt from 'mqtt';
import { SerialPort } from 'serialport';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BUILT, eventually, httpGet, runCli, startCli, type CliDaemon, type CommandRun } from '../e2e/cli-processes.js';
import { SocatPtyPair } from '../transports/socat-pty-pair.js';
import { encodingsOf, findSecrets, textNeedles, type Needle } from './secret-needles.js';
import { connackCode, publishOutcome, securityDevice, type SecurityDevice } from './security-gateway.js';

const ORIGIN = 'trial.example/site-logs/gw-1';

/** Reading values no process would print by chance (float fields are float64 on the wire, spec section 2). */
const CANARY = {
  celsius: 36.87654321987,
  mgDl: 123.45678912345,
  kg: 72.13579246813,
  pct: 97.24681357913,
  systolic: 131.97531864297,
  diastolic: 84.86420975319,
  steps: 918_273_645,
  note: 'canary-note-7Qz3pX9wLm',
  fw: 'fw-canary-Vb82KdQ1',
  kit: '(01)00614141999996(17)291231(10)CANARYLOT5(21)CANARY77813',
  serialNote: 'serial-canary-R4nd0mZ8',
  brokenNote: 'broken-canary-H7t2Wq9e',
} as const;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups.length = 0;
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface PrivateRedis {
  readonly url: string;
  /** Stops it (SIGTERM to the process this test started). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  start(): Promise<void>;
}

/** A private redis-server with a password, on a free port (never the machine's shared one). */
async function privateRedis(password: string, dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    started.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    started.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    await eventually(() => output.includes('Ready to accept connections'), 10_000, 'redis-server ready');
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return { url: `redis://:${password}@127.0.0.1:${port}`, start, stop };
}

function floatNeedles(label: string, value: number): Needle[] {
  // As the value prints (JSON, String()) and as its CBOR float64 bytes inside a message.
  return [{ label: `${label} as a number`, needle: String(value) }, ...encodingsOf(`${label} as CBOR`, encodeCbor(new CborFloat(value)))];
}

describe.skipIf(!CLI_BUILT)('security: no secret or reading value in any log line of a full run', () => {
  it('gateway, anchor worker, simulator, serial line, API and CLI at trace level: nothing secret in their logs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-sec-logs-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const data = path.join(dir, 'gw');
    const state = path.join(dir, 'sim');
    mkdirSync(data);
    const logs: { readonly name: string; readonly text: () => string }[] = [];
    const cli = async (args: readonly string[], options: Parameters<typeof runCli>[1] = {}): Promise<CommandRun> => {
      const run = await runCli(args, options);
      // A command's standard error is its log; its standard output is what it was asked to print.
      logs.push({ name: `trialgate ${args.slice(0, 2).join(' ')} (stderr)`, text: () => run.stderr });
      return run;
    };
    const daemon = (name: string, d: CliDaemon): CliDaemon => {
      logs.push({ name, text: () => d.output() });
      cleanups.push(() => d.stop());
      return d;
    };

    // Secrets of the outside world: the Redis password, an RPC API key, the anchoring key.
    const redisPassword = `redispw-${randomBytes(18).toString('base64url')}`;
    const redis = await privateRedis(redisPassword, dir);
    cleanups.push(() => redis.stop());
    const anvil = await startAnvil({ slotsInAnEpoch: 1, accounts: 1, extraArgs: ['--block-time', '1'] });
    cleanups.push(() => anvil.stop());
    // The anchor worker reaches the chain through a proxy whose faults the test sets (error paths log most).
    const proxy = await startRpcFaultProxy(anvil.url);
    cleanups.push(() => proxy.close());
    const rpcApiKey = `rpckey${randomBytes(16).toString('hex')}`;
    const rpcUrl = `${proxy.url}/?apikey=${rpcApiKey}`;
    const anchorKey = `0x${randomBytes(32).toString('hex')}` as `0x${string}`;
    await anvil.request('anvil_setBalance', [privateKeyToAccount(anchorKey).address, '0x56BC75E2D63100000']);
    const anchorKeyFile = path.join(dir, 'anchor.key');
    writeFileSync(anchorKeyFile, `${anchorKey}\n`, { mode: 0o600 });

    // Devices: the simulator's fleet, and ours.
    const provisioned = await cli(['sim', 'provision', '--state', state, '--devices', '8', '--id-prefix', 'LOGSIM']);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    const wearable = securityDevice('LOG-WEAR-1');
    const dispenser = securityDevice('LOG-DISP-1');
    const spare = securityDevice('LOG-SPARE-1');
    const imports = [
      readFileSync(path.join(state, 'devices.jsonl'), 'utf8').trim(),
      JSON.stringify({ id: wearable.id, public_key: Buffer.from(wearable.publicKey).toString('base64'), kind: 'wearable', subject: 'SUBJ-LOG-1' }),
      JSON.stringify({ id: dispenser.id, public_key: Buffer.from(dispenser.publicKey).toString('base64'), kind: 'pill_dispenser', subject: 'SUBJ-LOG-1', transports: ['serial'] }),
    ].join('\n');
    writeFileSync(path.join(dir, 'import.jsonl'), `${imports}\n`);
    expect((await cli(['devices', 'import', '--data', data, path.join(dir, 'import.jsonl')])).code).toBe(0);

    const pair = new SocatPtyPair(dir);
    await pair.start();
    cleanups.push(() => pair.kill());

    const prefix = `tgtest-logs-${randomBytes(4).toString('hex')}`;
    const gateway = daemon(
      'trialgate gateway',
      startCli([
        'gateway', '--data', data, '--origin', ORIGIN, '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--http-port', '0',
        '--redis', redis.url, '--queue-prefix', prefix, '--checkpoint-interval', '1s', '--log-level', 'trace', '--serial', pair.gatewayEnd,
      ]),
    );
    const listening = await eventually(() => /listening on (mqtt:\/\/[^\s,;]+).*?; API (http:\/\/[^\s;]+);/.exec(gateway.output()) ?? undefined, 30_000, 'the gateway listening');
    const [, brokerUrl = '', api = ''] = listening;
    const verifierKey = (await httpGet(`${api}/key`)).trim();

    const anchor = daemon(
      'trialgate anchor',
      startCli([
        'anchor', '--redis', redis.url, '--queue-prefix', prefix, '--rpc', rpcUrl, '--chain-id', '31337', '--key-file', anchorKeyFile,
        '--gateway-key', verifierKey, '--min-interval', '2s', '--poll-interval', '300ms', '--log-level', 'trace',
      ]),
    );
    await eventually(() => anchor.output().includes('anchoring from'), 30_000, 'the anchor worker started');
    // An outage while the devices send: the chain's RPC answers 503.
    await proxy.setFault({ kind: 'http-status', status: 503 });

    // API tokens of every scope, one revoked.
    const token = async (scope: string): Promise<string> => {
      const run = await cli(['tokens', 'create', '--data', data, '--scope', scope]);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout.trim();
    };
    const readToken = await token('read');
    const exportToken = await token('export');
    const adminToken = await token('admin');
    const revokedRun = await cli(['tokens', 'create', '--data', data, '--scope', 'read', '--json']);
    const revoked = JSON.parse(revokedRun.stdout) as { id: string; token: string };
    expect((await cli(['tokens', 'revoke', '--data', data, '--id', revoked.id])).code).toBe(0);

    // Our wearable over MQTT: every distinctive reading, a broken one, an impersonation, and token misuse.
    const readings = [
      wearable.message(1, { type: 'body_temp', data: { celsius: CANARY.celsius } }),
      wearable.message(2, { type: 'glucose', data: { mg_dl: CANARY.mgDl } }),
      wearable.message(3, { type: 'weight', data: { kg: CANARY.kg } }),
      wearable.message(4, { type: 'spo2', data: { pct: CANARY.pct } }),
      wearable.message(5, { type: 'blood_pressure', data: { systolic_mmhg: CANARY.systolic, diastolic_mmhg: CANARY.diastolic } }),
      wearable.message(6, { type: 'steps', data: { count: CANARY.steps, interval_s: 900 } }),
      wearable.message(7, { type: 'device_status', data: { note: CANARY.note, fw: CANARY.fw, battery_pct: 61 } }),
      wearable.message(8, { type: 'dose_event', data: { event: 'pack_loaded', kit: CANARY.kit } }),
    ];
    const brokenReading = wearable.message(9, { type: 'device_status', data: { note: CANARY.brokenNote } });
    brokenReading[brokenReading.length - 1] = (brokenReading[brokenReading.length - 1] ?? 0) ^ 0x55;
    const impersonation = wearable.message(10, { type: 'body_temp', data: { celsius: CANARY.celsius } }, { kid: 'LOGSIM-WEA-0001' });
    const acceptedToken = wearable.token();
    const client = await mqtt.connectAsync(brokerUrl, { clientId: wearable.id, username: wearable.id, password: acceptedToken, protocolVersion: 4, reconnectPeriod: 0 });
    await client.subscribeAsync(`tg/v1/dev/${wearable.id}/down`, { qos: 1 });
    for (const bytes of [...readings, brokenReading]) expect(await publishOutcome(client, `tg/v1/dev/${wearable.id}/up`, bytes)).toBe('acked');
    expect(await publishOutcome(client, `tg/v1/dev/${wearable.id}/up`, impersonation)).toBe('closed');
    const expiredToken = wearable.token(Date.now() - 3_600_000);
    const forgedToken = Buffer.from(createConnectToken({ deviceId: wearable.id, secretKey: generateEd25519KeyPair().secretKey, issuedAtMs: Date.now() }));
    const stranger: SecurityDevice = securityDevice('LOG-STRANGER-1');
    const strangerToken = stranger.token();
    for (const [id, password] of [[wearable.id, acceptedToken], [wearable.id, expiredToken], [wearable.id, forgedToken], [stranger.id, strangerToken]] as const) {
      expect(await connackCode(brokerUrl, { clientId: id, username: id, password })).toBe(5);
    }

    // Our dispenser on the serial line: readings, a broken frame holding one, and noise.
    const port = new SerialPort({ path: pair.deviceEnd, baudRate: 115_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error === null || error === undefined ? resolve() : reject(error))));
    cleanups.push(() => new Promise((resolve) => (port.isOpen ? port.close(() => resolve(undefined)) : resolve(undefined))));
    port.on('data', () => undefined);
    const serialReadings = [
      dispenser.message(1, { type: 'dose_event', data: { event: 'taken', slot: 2, kit: CANARY.kit } }),
      dispenser.message(2, { type: 'device_status', data: { note: CANARY.serialNote } }),
    ];
    const brokenFrame = Buffer.from(encodeSerialFrame(dispenser.message(3, { type: 'device_status', data: { note: CANARY.brokenNote } })));
    brokenFrame[brokenFrame.length - 3] = (brokenFrame[brokenFrame.length - 3] ?? 0) ^ 0x04;
    const serialBytes = Buffer.concat([Buffer.from([0]), ...serialReadings.map((m) => encodeSerialFrame(m)), brokenFrame, Buffer.from('noise\x00')]);
    await new Promise<void>((resolve, reject) => port.write(serialBytes, (error) => (error === null || error === undefined ? port.drain(() => resolve()) : reject(error))));

    // The API: every scope, a wrong one, the revoked token, garbage; an enrolment through the admin routes.
    const get = (route: string, bearer?: string): Promise<Response> => fetch(`${api}${route}`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });
    await eventually(async () => {
      const page = JSON.parse(await (await get('/entries?start=0&limit=1000', readToken)).text()) as { entries: { device_id: string }[] };
      return page.entries.filter((e) => e.device_id === dispenser.id).length >= 2;
    }, 20_000, 'the serial readings logged');
    expect((await get('/export', readToken)).status).toBe(403);
    expect((await get('/entries/0', revoked.token)).status).toBe(401);
    expect((await get('/entries/0', `tgt_${randomBytes(32).toString('base64url')}`)).status).toBe(401);
    expect((await get('/export', exportToken)).status).toBe(200);
    const enrolled = await fetch(`${api}/admin/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: spare.id, public_key: Buffer.from(spare.publicKey).toString('base64'), kind: 'scale' }),
    });
    expect(enrolled.status).toBe(201);
    expect((await cli(['quarantine', 'list', '--data', data, '--json', '--limit', '1000'])).code).toBe(0);
    expect((await cli(['devices', 'list', '--data', data])).code).toBe(0);

    // More outages: Redis goes down and comes back empty; then the RPC gives a JSON-RPC error, then recovers.
    await eventually(() => proxy.faultsServed() > 0, 20_000, 'the anchor worker meeting the RPC outage');
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.start();
    await proxy.setFault({ kind: 'rpc-error', code: -32005, message: 'limit exceeded' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await proxy.setFault({ kind: 'none' });
    expect(proxy.faultsServed()).toBeGreaterThan(0);

    // The simulator: its fleet at a few readings a second, every fault kind.
    const sim = await cli(
      ['sim', '--broker', brokerUrl, '--state', state, '--rate', '30/s', '--duration', '5', '--faults', '--gateway-key', verifierKey, '--log-level', 'trace'],
      { timeoutMs: 60_000 },
    );
    expect(sim.code, sim.stderr.slice(-2000)).toBe(0);
    logs.push({ name: 'trialgate sim (stdout)', text: () => sim.stdout });

    // An anchor of a checkpoint goes final, so the anchor worker's whole path ran.
    await eventually(async () => {
      const list = JSON.parse(await httpGet(`${api}/checkpoints?order=desc&limit=5`)) as { checkpoints: { anchors: { state: string }[] }[] };
      return list.checkpoints.some((c) => c.anchors.some((a) => a.state === 'final'));
    }, 60_000, 'a final anchor');
    const entriesText = await (await get('/entries?start=0&limit=1000', adminToken)).text();
    await anchor.stop();
    await gateway.stop();
    await client.endAsync(true);

    // Every secret and every reading value, in every encoding.
    const fleet = JSON.parse(readFileSync(path.join(state, 'fleet.json'), 'utf8')) as { devices: { id: string; secret_key: string }[] };
    const gatewayKeyLine = readFileSync(path.join(data, 'gateway.key'), 'utf8').trim();
    // `PRIVATE+KEY+<origin>+<key id>+<base64(0x01 || seed)>` (gateway/src/keys/gateway-key.ts); base64 may hold '+'.
    const gatewayKeyBytes = Buffer.from(/^PRIVATE\+KEY\+[^+]+\+[0-9a-f]{8}\+(.+)$/.exec(gatewayKeyLine)?.[1] ?? '', 'base64');
    expect(gatewayKeyBytes.length).toBe(33);
    const secrets: Needle[] = [
      ...fleet.devices.flatMap((d) => encodingsOf(`secret key of ${d.id}`, Buffer.from(d.secret_key, 'base64'))),
      ...[wearable, dispenser, spare, stranger].flatMap((d) => encodingsOf(`secret key of ${d.id}`, d.secretKey)),
      ...textNeedles('the gateway key file line', gatewayKeyLine),
      ...encodingsOf('the gateway key seed', gatewayKeyBytes.subarray(1)),
      ...[readToken, exportToken, adminToken, revoked.token].flatMap((t, i) => [...textNeedles(`API token ${i}`, t), ...encodingsOf(`API token ${i} bytes`, Buffer.from(t.slice(4), 'base64url'))]),
      ...[acceptedToken, expiredToken, forgedToken, strangerToken].flatMap((t, i) => [...encodingsOf(`connect token ${i}`, t), ...encodingsOf(`connect token ${i} signature`, t.subarray(t.length - 64))]),
      ...textNeedles('the anchoring key', anchorKey),
      ...encodingsOf('the anchoring key bytes', Buffer.from(anchorKey.slice(2), 'hex')),
      ...textNeedles('the Redis password', redisPassword),
      ...textNeedles('the RPC API key', rpcApiKey),
    ];
    const values: Needle[] = [
      ...floatNeedles('celsius', CANARY.celsius),
      ...floatNeedles('mg/dL', CANARY.mgDl),
      ...floatNeedles('kg', CANARY.kg),
      ...floatNeedles('SpO2', CANARY.pct),
      ...floatNeedles('systolic', CANARY.systolic),
      ...floatNeedles('diastolic', CANARY.diastolic),
      { label: 'steps as a number', needle: String(CANARY.steps) },
      ...encodingsOf('steps as CBOR', encodeCbor(CANARY.steps)),
      ...[CANARY.note, CANARY.fw, CANARY.kit, CANARY.serialNote, CANARY.brokenNote].flatMap((text) => textNeedles(`reading text ${text}`, text)),
      ...[...readings, brokenReading, impersonation, ...serialReadings, brokenFrame].flatMap((m, i) => encodingsOf(`message ${i}`, m)),
    ];

    // Positive controls: the needles find what they look for where it is meant to be.
    const fleetText = readFileSync(path.join(state, 'fleet.json'), 'utf8');
    for (const d of fleet.devices) expect(findSecrets(fleetText, encodingsOf(`secret key of ${d.id}`, Buffer.from(d.secret_key, 'base64'))).length, d.id).toBeGreaterThan(0);
    expect(findSecrets(gatewayKeyLine, encodingsOf('seed', gatewayKeyBytes.subarray(1))).length).toBeGreaterThan(0);
    for (const [label, value] of [['celsius', CANARY.celsius], ['kg', CANARY.kg]] as const) {
      const found = findSecrets(entriesText, floatNeedles(label, value));
      expect(found, `the API answer holds ${label} as a number and inside the message`).toEqual(expect.arrayContaining([`${label} as a number`]));
      expect(found.some((l) => l.includes('base64')), `${label} found inside a base64 original`).toBe(true);
    }
    expect(findSecrets(entriesText, textNeedles('note', CANARY.serialNote)).length).toBeGreaterThan(0);

    // The logs: non-trivial, from every process, and clean.
    const gatewayLog = logs.find((l) => l.name === 'trialgate gateway')?.text() ?? '';
    expect(gatewayLog).toMatch(/"event":"quarantined"/);
    expect(gatewayLog).toMatch(/"event":"connect_refused"/);
    expect(gatewayLog).toMatch(/serial/);
    const anchorLog = logs.find((l) => l.name === 'trialgate anchor')?.text() ?? '';
    expect(anchorLog).toMatch(/"level":/);
    expect(gatewayLog, 'the gateway logged the Redis outage').toMatch(/redis/i);
    expect(logs.find((l) => l.name.startsWith('trialgate sim --broker'))?.text() ?? '').toMatch(/"level":/);
    // TG_SECURITY_LOG_DIR=DIR keeps the collected logs for a look.
    const keep = process.env['TG_SECURITY_LOG_DIR'];
    if (keep !== undefined && keep !== '') {
      mkdirSync(keep, { recursive: true });
      for (const log of logs) writeFileSync(path.join(keep, `${log.name.replace(/[^\w.-]+/g, '_')}.log`), log.text());
    }
    const leaks = logs.flatMap((log) => findSecrets(log.text(), [...secrets, ...values]).map((label) => `${log.name}: ${label}`));
    expect(leaks).toEqual([]);
    const total = logs.reduce((n, l) => n + l.text().length, 0);
    console.info(`log grep: ${logs.length} logs, ${total} characters, ${secrets.length} secret needles, ${values.length} value needles, no match`);
  }, 180_000);
});
