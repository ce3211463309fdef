/**
 * A real `trialgate gateway` process for the reliability scenarios: spawned from the built CLI
 * (`cli/bin/trialgate.js`, so `npx tsc -b` first), its JSON log lines (stdout) parsed as they come, its
 * listening line (stderr) read for the MQTT port and the API address, killed with SIGKILL or stopped with
 * SIGTERM, and its resident memory readable while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../../e2e/cli-processes.js';
import { residentBytes } from './process-memory.js';

export interface GatewayProcessOptions {
  readonly dataDir: string;
  readonly origin: string;
  /** Fixed MQTT port (to come back on the same port after a kill); default any free port. */
  readonly mqttPort?: number;
  /** More flags, e.g. ['--redis', url, '--device-rate', '10/s']. */
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Default `info` (the scenarios read log lines). */
  readonly logLevel?: string;
  /** How long to wait for the listening line (default 60 s). */
  readonly startTimeoutMs?: number;
}

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly mqttPort: number;
  readonly mqttUrl: string;
  readonly apiUrl: string;
  /** Milliseconds from spawn to the listening line. */
  readonly startedInMs: number;
  /** Every JSON log line so far (pino objects). */
  logs(): readonly Record<string, unknown>[];
  /** Standard error so far. */
  stderr(): string;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** SIGKILL (kill -9), resolves once it is gone. */
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
  residentBytes(): number | null;
  /** GET on the HTTP API, parsed JSON (throws on a non-2xx status). */
  getJson<T>(path: string, token?: string): Promise<T>;
  /** GET /metrics, the value of one sample (sum over label sets that contain `labels`), or 0. */
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number>;
}

const running = new Set<ChildProcess>();

/** For afterEach/afterAll: SIGKILL every gateway these helpers started and that still runs. */
export async function killAllGateways(): Promise<void> {
  const exits = [...running].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  }));
  await Promise.all(exits);
  running.clear();
}

export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const begun = performance.now();
  const args = [
    CLI, 'gateway', '--data', options.dataDir, '--origin', options.origin,
    '--mqtt-host', '127.0.0.1', '--mqtt-port', String(options.mqttPort ?? 0), '--http-port', '0',
    '--log-level', options.logLevel ?? 'info',
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) {
      if (part.trim() === '') continue;
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ unparsed: part });
      }
    }
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  const listening = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not listen within ${options.startTimeoutMs ?? 60_000} ms:\n${stderr}`)), options.startTimeoutMs ?? 60_000);
    const onData = (): void => {
      const match = /listening on mqtt:\/\/127\.0\.0\.1:(\d+).*?; API (http:\/\/[^\s;]+);/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        resolve(match);
      }
    };
    child.stderr?.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited (${code ?? signal}) before listening:\n${stderr}`));
    });
  });
  const mqttPort = Number(listening[1]);
  const apiUrl = listening[2] ?? '';
  const pid = child.pid ?? -1;

  const getJson = async <T>(path: string, token?: string): Promise<T> => {
    const response = await fetchRetrying(`${apiUrl}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    child,
    pid,
    mqttPort,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    apiUrl,
    startedInMs: performance.now() - begun,
    logs: () => lines,
    stderr: () => stderr,
    exited,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async (graceMs = 30_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const { code } = await exited;
      clearTimeout(timer);
      return code;
    },
    residentBytes: () => residentBytes(pid),
    getJson,
    metric: async (name, labels = {}) => {
      const response = await fetchRetrying(`${apiUrl}/metrics`);
      return sumMetric(await response.text(), name, labels);
    },
  };
}

/**
 * fetch, once more after a connection reset: undici reuses a kept-alive socket that the server may be closing
 * at that very moment (Node's HTTP server closes idle sockets after 5 s), which is no failure of the gateway.
 */
async function fetchRetrying(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Sums the samples of `name` in Prometheus text whose labels include `labels`. */
export function sumMetric(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) sum += Number(match[3]);
  }
  return sum;
}
