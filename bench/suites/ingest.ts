/**
 * Ingest: 200 devices publishing pre-signed 100-200-byte readings at QoS 1 from a separate process (a child
 * running this same file as a load generator), against
 *   - the gateway (startGateway: full verification on worker threads, group-committed fsync, in the tree);
 *     a PUBACK means exactly that, so acknowledged readings/s is the end-to-end rate;
 *   - a bare aedes broker (no checks, no storage), the same load generator;
 * and, in the same run, this machine's verification ceiling: cores x single-core node:crypto Ed25519 verify
 * rate (cached KeyObject). Reports readings/s at full speed, PUBACK latency p50/p99 at a paced 5,000
 * readings/s, and the gateway's ratio to the ceiling and to bare aedes (issue 3 targets: >= 10,000/s
 * sustained, p99 <= 50 ms at 5,000/s).
 *
 * Run: `npx tsc -b && node bench/dist/suites/ingest.js [--quick]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import {
  coseSigStructure,
  createConnectToken,
  createDeviceMessage,
  createEd25519Signer,
  createEd25519Verifier,
  ed25519PublicKey,
  encodeCbor,
  ed25519Sign,
} from '@trialgate/firmware-protocol';
import { encodePublicKeyText, resolveGatewayConfig, startGateway, silentLogger } from '@trialgate/gateway';
import { describeMachine } from '../lib/machine.js';
import type { Measurement, Suite, SuiteOptions } from '../lib/measurement.js';

const SUITE = 'ingest';
const ORIGIN = 'bench.example/ingest/gw-1';

// ---------------------------------------------------------------------------------------------------------
// The load generator (child process)

interface GeneratorDevice {
  readonly id: string;
  readonly seedHex: string;
}

type GeneratorMode = { readonly kind: 'max'; readonly window: number } | { readonly kind: 'paced'; readonly perSecond: number };

interface SetupMessage {
  readonly type: 'setup';
  readonly url: string;
  readonly devices: readonly GeneratorDevice[];
  readonly messagesPerDevice: number;
  readonly firstSeq: number;
  readonly mode: GeneratorMode;
}

interface GeneratorResult {
  readonly type: 'done';
  readonly acked: number;
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly messageBytes: { readonly min: number; readonly max: number };
  readonly errors: number;
  /** CPU time the load generator itself used while publishing (user + system), ms. */
  readonly generatorCpuMs: number;
}

async function loadGenerator(): Promise<void> {
  const setup = await new Promise<SetupMessage>((resolve) => process.once('message', (m) => resolve(m as SetupMessage)));
  // Pre-sign everything before the clock starts: the devices' signing is not what is measured.
  const now = Date.now();
  const devices = setup.devices.map((d) => {
    const signer = createEd25519Signer(Uint8Array.from(Buffer.from(d.seedHex, 'hex')));
    const messages = Array.from({ length: setup.messagesPerDevice }, (_, i) => {
      const seq = setup.firstSeq + i;
      return Buffer.from(
        createDeviceMessage({
          payload: { v: 1, dev: d.id, seq, t: now + seq, type: 'heart_rate', data: { bpm: 60 + (seq % 40), rr_ms: [812, 790, 805, 799] } },
          secretKey: signer,
        }),
      );
    });
    return { id: d.id, token: Buffer.from(createConnectToken({ deviceId: d.id, secretKey: signer, issuedAtMs: now })), messages };
  });
  const sizes = devices.flatMap((d) => d.messages.map((m) => m.length));
  const clients = await Promise.all(
    devices.map((d) =>
      mqtt.connectAsync(setup.url, { clientId: d.id, username: d.id, password: d.token, protocolVersion: 4, reconnectPeriod: 0, clean: true, connectTimeout: 30_000 }),
    ),
  );
  process.send?.({ type: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));

  const total = devices.length * setup.messagesPerDevice;
  const latencies = new Float64Array(total);
  let acked = 0;
  let errors = 0;
  let lastAck = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const publish = (device: number, index: number): void => {
      const client = clients[device];
      const message = devices[device]?.messages[index];
      if (client === undefined || message === undefined) return;
      const sentAt = performance.now();
      client.publish(`tg/v1/dev/${devices[device]?.id ?? ''}/up`, message, { qos: 1 }, (error) => {
        const at = performance.now();
        if (error === undefined || error === null) latencies[acked++] = at - sentAt;
        else errors += 1;
        lastAck = at;
        if (setup.mode.kind === 'max') {
          const next = index + setup.mode.window;
          if (next < setup.messagesPerDevice) publish(device, next);
        }
        if (acked + errors === total) resolve();
      });
    };
    if (setup.mode.kind === 'max') {
      for (let d = 0; d < devices.length; d += 1) for (let i = 0; i < Math.min(setup.mode.window, setup.messagesPerDevice); i += 1) publish(d, i);
    } else {
      // Paced: the total rate spread evenly over the devices, sent in 5 ms ticks, whatever the acks do.
      const perSecond = setup.mode.perSecond;
      let sent = 0;
      const tick = (): void => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond));
        while (sent < due) {
          publish(sent % devices.length, Math.floor(sent / devices.length));
          sent += 1;
        }
        if (sent < total) setTimeout(tick, 5);
      };
      tick();
    }
  });
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = Array.from(latencies.subarray(0, acked)).sort((a, b) => a - b);
  const pick = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  await Promise.all(clients.map((c) => c.endAsync(true)));
  const result: GeneratorResult = {
    type: 'done',
    acked,
    elapsedMs: lastAck - started,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    maxMs: sorted.at(-1) ?? 0,
    messageBytes: { min: Math.min(...sizes), max: Math.max(...sizes) },
    errors,
    generatorCpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.send?.(result);
}

// ---------------------------------------------------------------------------------------------------------
// The benchmark (parent process)

/** The generator's result, with the CPU this process (broker or gateway, all its threads) used meanwhile. */
async function runGenerator(setup: SetupMessage): Promise<GeneratorResult & { readonly serverCpuMs: number; readonly mainThreadUtilization: number }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--load-generator'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  try {
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    });
    child.send(setup);
    await ready;
    const done = new Promise<GeneratorResult>((resolve, reject) => {
      child.once('message', (m) => resolve(m as GeneratorResult));
      child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    });
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    child.send({ type: 'go' });
    const result = await done;
    const cpu = process.cpuUsage(cpuBefore);
    const elu = performance.eventLoopUtilization(eluBefore);
    return { ...result, serverCpuMs: (cpu.user + cpu.system) / 1000, mainThreadUtilization: elu.utilization };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

function fleet(count: number): GeneratorDevice[] {
  return Array.from({ length: count }, (_, i) => {
    const seed = Buffer.alloc(32);
    seed.writeUInt32BE(i + 1, 0);
    seed.write('trialgate-bench', 4);
    return { id: `bench-${String(i).padStart(4, '0')}`, seedHex: seed.toString('hex') };
  });
}

/** Single-core node:crypto verify rate with a cached KeyObject, over a Sig_structure of a real reading. */
function verifyRate(seconds: number): number {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 7);
  const verifier = createEd25519Verifier(ed25519PublicKey(seed));
  const payload = encodeCbor({ v: 1, dev: 'bench-0000', seq: 1, t: 1_767_225_600_000, type: 'heart_rate', data: { bpm: 72, rr_ms: [812, 790, 805, 799] } });
  const message = coseSigStructure(Uint8Array.from([0xa1, 0x01, 0x27]), payload);
  const signature = ed25519Sign(message, seed);
  for (let i = 0; i < 300; i += 1) verifier.verify(message, signature);
  let count = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 100; i += 1) verifier.verify(message, signature);
    count += 100;
  }
  return count / ((performance.now() - start) / 1000);
}

async function withBareAedes<T>(body: (url: string) => Promise<T>): Promise<T> {
  const broker = new Aedes();
  await broker.listen();
  const server = createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await body(`mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function withGateway<T>(devices: readonly GeneratorDevice[], body: (url: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tg-bench-ingest-'));
  const { config } = resolveGatewayConfig({
    flags: { data: dataDir, origin: ORIGIN, mqttHost: '127.0.0.1', mqttPort: '0', logLevel: 'silent' },
    env: {},
    cwd: process.cwd(),
    cores: os.availableParallelism(),
  });
  const gateway = await startGateway(config, { logger: silentLogger() });
  try {
    await gateway.admin.importDevices(
      devices
        .map((d) => JSON.stringify({ id: d.id, public_key: encodePublicKeyText(ed25519PublicKey(Uint8Array.from(Buffer.from(d.seedHex, 'hex')))), kind: 'wearable' }))
        .join('\n'),
      'bench',
    );
    return await body(`mqtt://127.0.0.1:${gateway.addresses.mqtt.tcp.port}`);
  } finally {
    await gateway.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export const run: Suite = async (options: SuiteOptions): Promise<readonly Measurement[]> => {
  const deviceCount = 200;
  const devices = fleet(deviceCount);
  const maxPerDevice = options.quick ? 100 : 500; // 20,000 or 100,000 readings at full speed
  const pacedRate = 5_000;
  const pacedSeconds = options.quick ? 4 : 10;
  const pacedPerDevice = Math.round((pacedRate * pacedSeconds) / deviceCount);
  const cores = os.availableParallelism();
  const window = 10;

  const singleCore = verifyRate(options.quick ? 1 : 2);
  const ceiling = singleCore * cores;

  const only = process.env['TG_BENCH_INGEST_ONLY'];
  const skipped = { acked: 1, elapsedMs: 1, p50Ms: 0, p99Ms: 0, maxMs: 0, messageBytes: { min: 0, max: 0 }, errors: 0, generatorCpuMs: 0, serverCpuMs: 0, mainThreadUtilization: 0, type: 'done' as const };
  const aedesMax = only === 'gateway' ? skipped : await withBareAedes((url) =>
    runGenerator({ type: 'setup', url, devices, messagesPerDevice: maxPerDevice, firstSeq: 1, mode: { kind: 'max', window } }),
  );
  const aedesPaced = only === 'gateway' ? skipped : await withBareAedes((url) =>
    runGenerator({ type: 'setup', url, devices, messagesPerDevice: pacedPerDevice, firstSeq: 1, mode: { kind: 'paced', perSecond: pacedRate } }),
  );
  const { gatewayMax, gatewayPaced } = await withGateway(devices, async (url) => {
    const max = await runGenerator({ type: 'setup', url, devices, messagesPerDevice: maxPerDevice, firstSeq: 1, mode: { kind: 'max', window } });
    const paced = await runGenerator({
      type: 'setup',
      url,
      devices,
      messagesPerDevice: pacedPerDevice,
      firstSeq: maxPerDevice + 1,
      mode: { kind: 'paced', perSecond: pacedRate },
    });
    return { gatewayMax: max, gatewayPaced: paced };
  });

  const rate = (r: GeneratorResult): number => Math.round(r.acked / (r.elapsedMs / 1000));
  const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
  const note = `${deviceCount} devices, QoS 1, ${gatewayMax.messageBytes.min}-${gatewayMax.messageBytes.max}-byte readings, load from a child process`;
  const maxParams = { devices: deviceCount, readings: gatewayMax.acked, inflightPerDevice: window };
  const pacedParams = { devices: deviceCount, readings: gatewayPaced.acked, offeredPerSecond: pacedRate };
  const gatewayRate = rate(gatewayMax);
  const aedesRate = rate(aedesMax);
  for (const r of [aedesMax, aedesPaced, gatewayMax, gatewayPaced]) if (r.errors > 0) throw new Error(`${r.errors} publishes failed`);
  return [
    { suite: SUITE, name: 'node:crypto Ed25519 verify, one core (cached KeyObject)', value: Math.round(singleCore), unit: 'ops/s' },
    { suite: SUITE, name: `verification ceiling (${cores} cores x one core)`, value: Math.round(ceiling), unit: 'ops/s', params: { cores } },
    { suite: SUITE, name: 'bare aedes, full speed', value: aedesRate, unit: 'readings/s', params: maxParams, note },
    { suite: SUITE, name: 'gateway, full speed (verified, fsync, in the tree)', value: gatewayRate, unit: 'readings/s', params: maxParams, note },
    { suite: SUITE, name: 'gateway CPU per reading, all threads', value: round((gatewayMax.serverCpuMs * 1000) / gatewayMax.acked), unit: 'µs', params: maxParams },
    { suite: SUITE, name: 'gateway main thread busy at full speed (event loop utilization)', value: round(gatewayMax.mainThreadUtilization, 2), unit: 'ratio', params: maxParams },
    { suite: SUITE, name: `gateway main thread busy at ${pacedRate}/s`, value: round(gatewayPaced.mainThreadUtilization, 2), unit: 'ratio', params: pacedParams },
    { suite: SUITE, name: 'bare aedes CPU per reading', value: round((aedesMax.serverCpuMs * 1000) / aedesMax.acked), unit: 'µs', params: maxParams },
    { suite: SUITE, name: 'load generator CPU per reading (gateway run)', value: round((gatewayMax.generatorCpuMs * 1000) / gatewayMax.acked), unit: 'µs', params: maxParams },
    { suite: SUITE, name: 'gateway / verification ceiling', value: round(gatewayRate / ceiling, 3), unit: 'ratio' },
    { suite: SUITE, name: 'gateway / bare aedes', value: round(gatewayRate / aedesRate, 3), unit: 'ratio' },
    { suite: SUITE, name: 'gateway PUBACK p50 at full speed', value: round(gatewayMax.p50Ms), unit: 'ms', params: maxParams },
    { suite: SUITE, name: 'gateway PUBACK p99 at full speed', value: round(gatewayMax.p99Ms), unit: 'ms', params: maxParams },
    { suite: SUITE, name: `gateway achieved rate, paced at ${pacedRate}/s`, value: rate(gatewayPaced), unit: 'readings/s', params: pacedParams },
    { suite: SUITE, name: `gateway PUBACK p50 at ${pacedRate}/s`, value: round(gatewayPaced.p50Ms), unit: 'ms', params: pacedParams },
    { suite: SUITE, name: `gateway PUBACK p99 at ${pacedRate}/s`, value: round(gatewayPaced.p99Ms), unit: 'ms', params: pacedParams },
    { suite: SUITE, name: `gateway PUBACK max at ${pacedRate}/s`, value: round(gatewayPaced.maxMs), unit: 'ms', params: pacedParams },
    { suite: SUITE, name: `bare aedes PUBACK p50 at ${pacedRate}/s`, value: round(aedesPaced.p50Ms), unit: 'ms', params: pacedParams },
    { suite: SUITE, name: `bare aedes PUBACK p99 at ${pacedRate}/s`, value: round(aedesPaced.p99Ms), unit: 'ms', params: pacedParams },
  ];
};

if (process.argv.includes('--load-generator')) {
  await loadGenerator();
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const rows = await run({ quick });
  console.log(JSON.stringify(describeMachine()));
  console.log('| measurement | value | unit |\n|---|---:|---|');
  for (const row of rows) console.log(`| ${row.name} | ${row.value.toLocaleString('en-US')} | ${row.unit} |`);
}
