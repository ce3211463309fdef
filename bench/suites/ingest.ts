/**
 * Ingest against peers (issue 3 "Performance", issue 7 "Benchmarks", the ingest line): readings/s and PUBACK
 * latency p50/p99 at QoS 1 for 50, 200 and 1,000 devices publishing pre-signed ~170-byte readings from a
 * separate process, against
 *   - a bare aedes broker (no checks, no storage),
 *   - Mosquitto (a private one on a free port when the binary is installed, else the machine's own),
 *   - the gateway with full verification and durability (a PUBACK means: verified on a worker thread,
 *     fdatasync'd in a group commit, in the tree);
 * the gateway's ratio to this machine's verification ceiling (cores x single-core node:crypto Ed25519 verify
 * rate, measured in the same run) and to bare aedes; a paced 5,000 readings/s run (PUBACK p50/p99/max, event
 * loop delay, GC pauses); the CPU each of the gateway's threads spends per reading; and `trialgate gateway`'s
 * start-up time (spawn to its listening line).
 *
 * Full speed keeps 2,000 readings in flight whatever the fleet size (40, 10 or 2 per device), so the rows of
 * one target differ only by the number of connections. The load generator (ingest/load-generator.ts) speaks
 * raw MQTT 3.1.1 with packets encoded in advance, to take as little of this box as it can.
 *
 * Run: `npx tsc -b && node bench/dist/suites/ingest.js [--quick]`. Environment, for profiling:
 * TG_BENCH_INGEST_TARGETS=gateway,aedes,mosquitto  TG_BENCH_INGEST_DEVICES=200  TG_BENCH_INGEST_READINGS=N
 * TG_BENCH_INGEST_IN_FLIGHT=N (readings in flight at full speed, default 2,000)  TG_BENCH_INGEST_PACED=0 (skip the paced runs)
 * TG_BENCH_INGEST_PACED_RATE=N (readings/s of the paced runs, default 5,000)  TG_BENCH_INGEST_STARTUP=0 (skip start-up)
 * TG_BENCH_PROFILE=DIR (a CPU profile of the gateway's main thread during its 200-device full-speed run),
 * TG_BENCH_ALLOC=DIR (a sampled allocation profile of the same, and the bytes allocated per reading),
 * TG_BENCH_DUMP_METRICS=1 (the gateway's fsync, WAL checkpoint, group-commit, decision-time and stage histograms of its paced run).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { coseSigStructure, createEd25519Verifier, ed25519PublicKey, ed25519Sign, encodeCbor } from '@trialgate/firmware-protocol';
import { describeMachine } from '../lib/machine.js';
import type { Measurement, Suite, SuiteOptions } from '../lib/measurement.js';
import { LOAD_GENERATOR_FLAG, type GeneratorDevice, type GeneratorMode, type GeneratorResult, type GeneratorSetup } from './ingest/load-generator.js';
import { gatewayStartupMs } from './ingest/startup-time.js';
import { startBareAedes, startBenchGateway, startMosquitto, type Target, type TargetName } from './ingest/targets.js';
import { sumOf, threadCpuDelta, threadWrites } from './ingest/thread-cpu.js';

const SUITE = 'ingest';
const FLEETS = [50, 200, 1_000] as const;
const IN_FLIGHT = Number(process.env['TG_BENCH_INGEST_IN_FLIGHT'] ?? 2_000);
/** Issue 3's rate; TG_BENCH_INGEST_PACED_RATE changes it, to look at a slower machine at the same share of its ceiling. */
const PACED_RATE = Number(process.env['TG_BENCH_INGEST_PACED_RATE'] ?? 5_000);
const PACED_DEVICES = 200;
const RUN_DEADLINE_MS = 180_000;
const WARM_UP_READINGS = 4_000;

interface RunStats {
  readonly generator: GeneratorResult;
  readonly rate: number;
  /** Broker CPU per reading, µs, by thread role (`all` always present when measurable). */
  readonly cpuPerReading: Readonly<Record<string, number>>;
  readonly mainThreadUtilization: number;
  /** Main-thread GC pauses while the run lasted. */
  readonly gcPauseMs: { readonly total: number; readonly max: number };
  /** Event loop delay percentiles (ms), main thread. */
  readonly loopDelayMs: { readonly p99: number; readonly max: number };
  /** Bytes allocated on the main thread per reading (sampled), when an allocation profile was taken. */
  readonly allocatedPerReading: number | null;
  /** The gateway's group commits meanwhile (its own histogram), or null for another broker. */
  readonly groupCommits: { readonly commits: number; readonly entries: number } | null;
}

/** The gateway's fsync, group-commit, decision-time and stage histogram lines (TG_BENCH_DUMP_METRICS=1). */
async function histogramCounts(target: Target): Promise<Map<string, number>> {
  const text = (await target.gateway?.metrics.registry.metrics()) ?? '';
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !/fsync_seconds_bucket|wal_checkpoint_seconds_bucket|decision_seconds_bucket|stage_seconds_bucket|group_commit_entries_bucket/.test(line)) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Count and sum of the gateway's group-commit-size histogram. */
async function groupCommitTotals(target: Target): Promise<{ readonly count: number; readonly sum: number } | null> {
  const histogram = target.gateway?.metrics.groupCommitEntries;
  if (histogram === undefined) return null;
  const { values } = await histogram.get();
  const pick = (suffix: string): number => values.filter((v) => v.metricName?.endsWith(suffix)).reduce((n, v) => n + v.value, 0);
  return { count: pick('_count'), sum: pick('_sum') };
}

function fleet(count: number): GeneratorDevice[] {
  return Array.from({ length: count }, (_, i) => {
    const seed = Buffer.alloc(32);
    seed.writeUInt32BE(i + 1, 0);
    seed.write('trialgate-bench', 4);
    return { id: `bench-${String(i).padStart(4, '0')}`, seedHex: seed.toString('hex') };
  });
}

/** Single-core node:crypto verify rate with a cached KeyObject, over the Sig_structure of a real reading. */
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

interface Profiling {
  readonly session: Session;
  readonly cpu: boolean;
  readonly heap: boolean;
}

/** TG_BENCH_PROFILE=DIR: a CPU profile; TG_BENCH_ALLOC=DIR: a sampled allocation profile (collected objects too). */
async function startProfile(): Promise<Profiling | null> {
  const cpu = (process.env['TG_BENCH_PROFILE'] ?? '') !== '';
  const heap = (process.env['TG_BENCH_ALLOC'] ?? '') !== '';
  if (!cpu && !heap) return null;
  const session = new Session();
  session.connect();
  if (cpu) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  if (heap) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  return { session, cpu, heap };
}

interface HeapNode {
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

/** Writes the profiles; returns the bytes the allocation profile saw allocated (sampled estimate), or null. */
async function stopProfile(profiling: Profiling | null, name: string): Promise<number | null> {
  if (profiling === null) return null;
  const { session } = profiling;
  const write = (envName: string, file: string, data: unknown): void => {
    const dir = process.env[envName] ?? '.';
    fs.mkdirSync(dir, { recursive: true });
    const target = path.join(dir, file);
    fs.writeFileSync(target, JSON.stringify(data));
    console.error(`profile written to ${target}`);
  };
  let allocated: number | null = null;
  if (profiling.cpu) {
    const { profile } = await session.post('Profiler.stop');
    write('TG_BENCH_PROFILE', `${name}-${Date.now()}.cpuprofile`, profile);
  }
  if (profiling.heap) {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    write('TG_BENCH_ALLOC', `${name}-${Date.now()}.heapprofile`, profile);
    const total = (node: HeapNode): number => node.selfSize + node.children.reduce((sum, child) => sum + total(child), 0);
    allocated = total(profile.head as HeapNode);
  }
  session.disconnect();
  return allocated;
}

/** One load-generator run against `target`, with the broker's CPU, GC pauses and loop delay meanwhile. */
async function measure(target: Target, setup: Omit<GeneratorSetup, 'type' | 'host' | 'port' | 'namespace' | 'deadlineMs'>, profileName?: string): Promise<RunStats> {
  const script = fileURLToPath(new URL('./ingest/load-generator.js', import.meta.url));
  const child = fork(script, [LOAD_GENERATOR_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const gcPauses: number[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  try {
    const next = (): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const onExit = (code: number | null): void => reject(new Error(`load generator exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (message) => {
          child.off('exit', onExit);
          resolve(message);
        });
      });
    const ready = next();
    child.send({ ...setup, type: 'setup', host: target.host, port: target.port, namespace: target.namespace, deadlineMs: RUN_DEADLINE_MS } satisfies GeneratorSetup);
    await ready;
    const done = next();
    const profile = profileName === undefined ? null : await startProfile();
    gc.observe({ entryTypes: ['gc'] });
    loopDelay.enable();
    const commitsBefore = await groupCommitTotals(target);
    const cpuBefore = target.cpu();
    const writesBefore = target.fileThreads ? threadWrites() : null;
    const eluBefore = performance.eventLoopUtilization();
    child.send({ type: 'go' });
    const generator = (await done) as GeneratorResult;
    const elu = performance.eventLoopUtilization(eluBefore);
    const cpuAfter = target.cpu();
    const writesAfter = target.fileThreads ? threadWrites() : null;
    const commitsAfter = await groupCommitTotals(target);
    loopDelay.disable();
    gc.disconnect();
    const allocated = await stopProfile(profile, profileName ?? 'ingest');
    const cpuPerReading: Record<string, number> = {};
    if (cpuBefore !== null && cpuAfter !== null && generator.acked > 0) {
      const delta = threadCpuDelta(cpuBefore, cpuAfter);
      const perReading = (ns: number): number => Math.round((ns / 1000 / generator.acked) * 10) / 10;
      const all = sumOf(delta);
      cpuPerReading['all'] = perReading(all);
      let attributed = 0;
      const roles: Record<string, readonly number[]> = { ...target.threads };
      if (writesBefore !== null && writesAfter !== null) {
        const known = new Set(Object.values(target.threads).flat());
        roles['files'] = [...writesAfter].filter(([tid, n]) => !known.has(tid) && n > (writesBefore.get(tid) ?? 0)).map(([tid]) => tid);
      }
      for (const [role, tids] of Object.entries(roles)) {
        const ns = sumOf(delta, tids);
        attributed += ns;
        cpuPerReading[role] = perReading(ns);
      }
      if (Object.keys(roles).length > 1) cpuPerReading['other'] = perReading(all - attributed);
      if (process.env['TG_BENCH_THREADS'] === '1') {
        const roleOf = (tid: number): string => Object.entries(roles).find(([, tids]) => tids.includes(tid))?.[0] ?? 'other';
        console.error([...delta].sort((a, b) => b[1] - a[1]).map(([tid, ns]) => `${tid} ${roleOf(tid)} ${perReading(ns)}`).join('\n'));
      }
    }
    return {
      generator,
      rate: Math.round(generator.acked / (generator.elapsedMs / 1000)),
      cpuPerReading,
      mainThreadUtilization: Math.round(elu.utilization * 100) / 100,
      gcPauseMs: { total: gcPauses.reduce((a, b) => a + b, 0), max: Math.max(0, ...gcPauses) },
      loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
      allocatedPerReading: allocated === null || generator.acked === 0 ? null : Math.round(allocated / generator.acked),
      groupCommits:
        commitsBefore === null || commitsAfter === null ? null : { commits: commitsAfter.count - commitsBefore.count, entries: commitsAfter.sum - commitsBefore.sum },
    };
  } finally {
    gc.disconnect();
    loopDelay.disable();
    if (child.exitCode === null) child.kill();
  }
}

function listFromEnv<T extends string | number>(name: string, all: readonly T[], parse: (s: string) => T): readonly T[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return all;
  return raw.split(',').map((s) => parse(s.trim()));
}

export const run: Suite = async (options: SuiteOptions): Promise<readonly Measurement[]> => {
  const quick = options.quick;
  const targets = listFromEnv<TargetName>('TG_BENCH_INGEST_TARGETS', ['aedes', 'mosquitto', 'gateway'], (s) => s as TargetName);
  const fleets = listFromEnv<number>('TG_BENCH_INGEST_DEVICES', FLEETS, Number);
  const readings = Number(process.env['TG_BENCH_INGEST_READINGS'] ?? (quick ? 10_000 : 60_000));
  const paced = process.env['TG_BENCH_INGEST_PACED'] !== '0';
  const pacedSeconds = quick ? 4 : 15;
  const startupSamples = process.env['TG_BENCH_INGEST_STARTUP'] === '0' ? 0 : quick ? 3 : 7;
  const cores = os.availableParallelism();
  const devices = fleet(Math.max(...fleets, PACED_DEVICES));
  const rows: Measurement[] = [];
  const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

  const singleCore = verifyRate(quick ? 1 : 3);
  const ceiling = singleCore * cores;
  rows.push({ suite: SUITE, name: 'node:crypto Ed25519 verify, one core (cached KeyObject)', value: Math.round(singleCore), unit: 'ops/s' });
  rows.push({ suite: SUITE, name: `verification ceiling (${cores} cores x one core)`, value: Math.round(ceiling), unit: 'ops/s', params: { cores } });

  const fullSpeed = new Map<string, RunStats>();
  for (const name of targets) {
    const target =
      name === 'aedes' ? await startBareAedes() : name === 'mosquitto' ? await startMosquitto() : await startBenchGateway(devices);
    const nextSeq = new Map<string, number>();
    const run = async (count: number, mode: GeneratorMode, perDevice: number, profileName?: string): Promise<RunStats> => {
      const used = devices.slice(0, count);
      const firstSeqs = used.map((d) => nextSeq.get(d.id) ?? 1);
      const stats = await measure(target, { devices: used, firstSeqs, messagesPerDevice: perDevice, mode }, profileName);
      used.forEach((d, i) => nextSeq.set(d.id, (firstSeqs[i] ?? 1) + perDevice));
      const g = stats.generator;
      if (g.unacked > 0 || g.connectionErrors > 0) {
        throw new Error(`${name}, ${count} devices: ${g.unacked} of ${g.offered} readings unacknowledged, ${g.connectionErrors} connection error(s)`);
      }
      return stats;
    };
    try {
      // Warm-up, not measured: JIT compilation, the first group commits, file and cache growth.
      const warmDevices = Math.min(PACED_DEVICES, devices.length);
      await run(warmDevices, { kind: 'max', window: Math.max(1, Math.round(IN_FLIGHT / warmDevices)) }, Math.max(10, Math.round(WARM_UP_READINGS / warmDevices)));
      for (const count of fleets) {
        const window = Math.max(1, Math.round(IN_FLIGHT / count));
        const perDevice = Math.max(window, Math.round(readings / count));
        const stats = await run(count, { kind: 'max', window }, perDevice, name === 'gateway' && count === 200 ? 'gateway-200' : undefined);
        fullSpeed.set(`${name}/${count}`, stats);
        const params = { devices: count, readings: stats.generator.acked, inflightPerDevice: window };
        const note = `QoS 1, ${stats.generator.messageBytes.min}-${stats.generator.messageBytes.max}-byte readings, load from a child process`;
        rows.push({ suite: SUITE, name: `${name}, ${count} devices, full speed`, value: stats.rate, unit: 'readings/s', params, note });
        rows.push({ suite: SUITE, name: `${name}, ${count} devices, PUBACK p50 at full speed`, value: round(stats.generator.p50Ms), unit: 'ms', params });
        rows.push({ suite: SUITE, name: `${name}, ${count} devices, PUBACK p99 at full speed`, value: round(stats.generator.p99Ms), unit: 'ms', params });
        for (const [role, us] of Object.entries(stats.cpuPerReading)) {
          rows.push({ suite: SUITE, name: `${name}, ${count} devices, CPU per reading (${role === 'all' ? 'all threads' : role})`, value: us, unit: 'µs', params });
        }
        rows.push({ suite: SUITE, name: `load generator CPU per reading (${name}, ${count} devices)`, value: round((stats.generator.cpuMs * 1000) / stats.generator.acked), unit: 'µs', params });
        if (name === 'gateway') {
          rows.push({ suite: SUITE, name: `gateway, ${count} devices, main thread busy (event loop utilization)`, value: stats.mainThreadUtilization, unit: 'ratio', params });
          rows.push({ suite: SUITE, name: `gateway, ${count} devices, GC pauses per reading (main thread)`, value: round((stats.gcPauseMs.total * 1000) / stats.generator.acked), unit: 'µs', params });
          if (stats.groupCommits !== null && stats.groupCommits.commits > 0) {
            const { commits, entries } = stats.groupCommits;
            rows.push({ suite: SUITE, name: `gateway, ${count} devices, group commits per second`, value: Math.round(commits / (stats.generator.elapsedMs / 1000)), unit: '/s', params });
            rows.push({ suite: SUITE, name: `gateway, ${count} devices, records per group commit (mean)`, value: round(entries / commits), unit: 'records', params });
          }
          if (stats.allocatedPerReading !== null) {
            rows.push({ suite: SUITE, name: `gateway, ${count} devices, allocated per reading (main thread, sampled)`, value: stats.allocatedPerReading, unit: 'B', params });
          }
          rows.push({ suite: SUITE, name: `gateway / verification ceiling, ${count} devices`, value: round(stats.rate / ceiling, 3), unit: 'ratio', params });
          const aedes = fullSpeed.get(`aedes/${count}`);
          if (aedes !== undefined) rows.push({ suite: SUITE, name: `gateway / bare aedes, ${count} devices`, value: round(stats.rate / aedes.rate, 3), unit: 'ratio', params });
        }
      }
      if (paced) {
        const perDevice = Math.round((PACED_RATE * pacedSeconds) / PACED_DEVICES);
        const dump = name === 'gateway' && process.env['TG_BENCH_DUMP_METRICS'] === '1';
        const histogramsBefore = dump ? await histogramCounts(target) : null;
        const stats = await run(PACED_DEVICES, { kind: 'paced', perSecond: PACED_RATE }, perDevice);
        const params = { devices: PACED_DEVICES, readings: stats.generator.acked, offeredPerSecond: PACED_RATE };
        rows.push({ suite: SUITE, name: `${name}, paced at ${PACED_RATE}/s: achieved`, value: stats.rate, unit: 'readings/s', params });
        rows.push({ suite: SUITE, name: `${name}, paced at ${PACED_RATE}/s: PUBACK p50`, value: round(stats.generator.p50Ms), unit: 'ms', params });
        rows.push({ suite: SUITE, name: `${name}, paced at ${PACED_RATE}/s: PUBACK p99`, value: round(stats.generator.p99Ms), unit: 'ms', params });
        rows.push({ suite: SUITE, name: `${name}, paced at ${PACED_RATE}/s: PUBACK max`, value: round(stats.generator.maxMs), unit: 'ms', params });
        if (stats.cpuPerReading['all'] !== undefined) {
          rows.push({ suite: SUITE, name: `${name}, paced at ${PACED_RATE}/s: CPU per reading (all threads)`, value: stats.cpuPerReading['all'], unit: 'µs', params });
        }
        if (histogramsBefore !== null) {
          // The paced run's own distributions: bucket counts after minus before.
          const after = await histogramCounts(target);
          console.error([...after].map(([line, count]) => `${line} ${count - (histogramsBefore.get(line) ?? 0)}`).join('\n'));
        }
        if (name === 'gateway') {
          rows.push({ suite: SUITE, name: `gateway, paced at ${PACED_RATE}/s: main thread busy`, value: stats.mainThreadUtilization, unit: 'ratio', params });
          rows.push({ suite: SUITE, name: `gateway, paced at ${PACED_RATE}/s: event loop delay p99`, value: round(stats.loopDelayMs.p99), unit: 'ms', params });
          rows.push({ suite: SUITE, name: `gateway, paced at ${PACED_RATE}/s: event loop delay max`, value: round(stats.loopDelayMs.max), unit: 'ms', params });
          rows.push({ suite: SUITE, name: `gateway, paced at ${PACED_RATE}/s: longest GC pause`, value: round(stats.gcPauseMs.max), unit: 'ms', params });
        }
      }
    } finally {
      await target.close();
    }
  }

  if (startupSamples > 0) {
    const samples: number[] = [];
    for (let i = 0; i < startupSamples; i += 1) samples.push(await gatewayStartupMs());
    samples.sort((a, b) => a - b);
    const params = { samples: samples.length };
    rows.push({ suite: SUITE, name: 'trialgate gateway start-up, spawn to listening line (median)', value: Math.round(samples[Math.floor(samples.length / 2)] ?? 0), unit: 'ms', params, note: 'empty data directory, new process each time' });
    rows.push({ suite: SUITE, name: 'trialgate gateway start-up, spawn to listening line (fastest)', value: Math.round(samples[0] ?? 0), unit: 'ms', params });
  }
  return rows;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const started = performance.now();
  const rows = await run({ quick });
  console.log(JSON.stringify({ ...describeMachine(), loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100), seconds: Math.round((performance.now() - started) / 1000) }));
  console.log('| measurement | value | unit |\n|---|---:|---|');
  for (const row of rows) console.log(`| ${row.name} | ${row.value.toLocaleString('en-US')} | ${row.unit} |`);
}
