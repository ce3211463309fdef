/**
 * The brokers the ingest benchmark compares, each started fresh on a free port of 127.0.0.1:
 *   - bare aedes (aedes 1.2 with no hooks: no checks, no storage), in this process;
 *   - Mosquitto (a private `mosquitto` on a free port when the binary is installed; otherwise the machine's
 *     own on 127.0.0.1:1883, with every client id and topic under a unique namespace so nothing of anyone
 *     else's is touched, and its CPU not measured);
 *   - the gateway (`startGateway`: full verification on its worker threads, group-committed fdatasync, the
 *     tree), in this process, with the whole fleet enrolled.
 * Each reports the CPU its threads used (thread-cpu.ts), grouped by what the threads do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
// The gateway first, as `trialgate gateway` loads it: its module that makes mqtt-packet's disabled debug
// loggers free (gateway/src/mqtt/quiet-disabled-debug.ts) must run before aedes loads mqtt-packet. The bare
// aedes broker of this process then runs with the same quiet loggers.
import { encodePublicKeyText, resolveGatewayConfig, silentLogger, startGateway, type RunningGateway } from '@trialgate/gateway';
import { Aedes } from 'aedes';
import { ed25519PublicKey } from '@trialgate/firmware-protocol';
import type { GeneratorDevice } from './load-generator.js';
import { newThreads, threadCpu, type ThreadCpu } from './thread-cpu.js';

export type TargetName = 'aedes' | 'mosquitto' | 'gateway';

export interface Target {
  readonly name: TargetName;
  readonly host: string;
  readonly port: number;
  /** Prefix of client ids and topics (a shared broker), or ''. */
  readonly namespace: string;
  /** Thread CPU snapshot of the process that runs the broker, or null when it cannot be measured. */
  cpu(): ThreadCpu | null;
  /** Thread ids by role, for `cpu()` deltas (roles absent for a target are missing). */
  readonly threads: Readonly<Record<string, readonly number[]>>;
  /** Whether threads that wrote files meanwhile are told apart as the file thread pool (this process). */
  readonly fileThreads: boolean;
  readonly gateway?: RunningGateway;
  close(): Promise<void>;
}

const ORIGIN = 'bench.example/ingest/gw-1';

export async function startBareAedes(): Promise<Target> {
  const broker = new Aedes();
  await broker.listen();
  const server = createServer((socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'aedes',
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    namespace: '',
    cpu: () => threadCpu(),
    threads: { main: [process.pid] },
    fileThreads: false,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function mosquittoBinary(): string | null {
  for (const candidate of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/local/bin/mosquitto']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on ${port} within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A private Mosquitto when the binary is there, else the machine's own (namespaced, CPU not measured). */
export async function startMosquitto(): Promise<Target & { readonly private: boolean }> {
  const binary = mosquittoBinary();
  if (binary === null) {
    return {
      name: 'mosquitto',
      private: false,
      host: '127.0.0.1',
      port: 1883,
      namespace: `tg-bench-${process.pid}-${Date.now().toString(36)}/`,
      cpu: () => null,
      threads: {},
      fileThreads: false,
      close: () => Promise.resolve(),
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bench-mosquitto-'));
  const port = await freePort();
  const config = path.join(dir, 'mosquitto.conf');
  // In memory only, errors to stderr: the broker's fastest honest configuration for QoS 1 in and PUBACK out.
  fs.writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\n`);
  const child = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = child.pid;
  try {
    if (pid === undefined) throw new Error('mosquitto did not start');
    await waitForPort(port, child, 5_000);
  } catch (error) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    name: 'mosquitto',
    private: true,
    host: '127.0.0.1',
    port,
    namespace: '',
    cpu: () => threadCpu(pid),
    threads: { main: [pid ?? 0] },
    fileThreads: false,
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBenchGateway(devices: readonly GeneratorDevice[]): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bench-ingest-'));
  const { config } = resolveGatewayConfig({
    // The per-device rate limit (default 200/s) is a policy, not a capacity: set far above what is offered,
    // so that it is checked for every message but never delays one (50 devices at full speed send more).
    flags: { data: dataDir, origin: ORIGIN, mqttHost: '127.0.0.1', mqttPort: '0', httpPort: '0', logLevel: 'silent', deviceRate: '1000000' },
    env: {},
    cwd: process.cwd(),
    cores: os.availableParallelism(),
  });
  const before = threadCpu();
  const gateway = await startGateway(config, { logger: silentLogger() });
  // Threads that starting the gateway added: its check workers (libuv's pool runs since module loading).
  const workers = newThreads(before, threadCpu());
  await gateway.admin.importDevices(
    devices
      .map((d) => JSON.stringify({ id: d.id, public_key: encodePublicKeyText(ed25519PublicKey(Uint8Array.from(Buffer.from(d.seedHex, 'hex')))), kind: 'wearable' }))
      .join('\n'),
    'bench',
  );
  return {
    name: 'gateway',
    host: '127.0.0.1',
    port: gateway.addresses.mqtt.tcp.port,
    namespace: '',
    cpu: () => threadCpu(),
    threads: { main: [process.pid], workers },
    fileThreads: true,
    gateway,
    close: async () => {
      await gateway.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
