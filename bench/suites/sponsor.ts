/**
 * The sponsor's side (issue 7): `trialgate export` and `trialgate verify` on a bundle of 100,000 entries
 * (`--quick`: 10,000), timed on the spawned command as a sponsor runs it (process start, file read, parse,
 * every check, report). Target: under 10 s each.
 *
 * The log: 200 devices enrolled through the gateway's admin operations (registry entries in the log), then
 * signed heart-rate readings with RR intervals (~150-byte COSE_Sign1, each signed with its device's key,
 * unique seq), appended through the durable store and checkpointed every 10,000 entries as the gateway does.
 * Verification runs with its default threads (one signature worker per core), and, in the same run, on the
 * main thread only (`--threads 0`, how it ran before), and in process, phase by phase.
 *
 * Run: `npx tsc -b && node bench/dist/suites/sponsor.js [--quick]`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDeviceMessage, createEd25519Signer, ed25519PublicKey, type Ed25519Signer } from '@trialgate/firmware-protocol';
import { parseBundle, verifyBundle, type LogEntry } from '@trialgate/proof-formats';
import {
  Checkpointer,
  loadOrCreateGatewayKey,
  openAdmin,
  openLogStore,
  registryProjection,
  systemClock,
  type LogStore,
} from '@trialgate/gateway';
import { appendInFlight } from '../lib/append-in-flight.js';
import { describeMachine } from '../lib/machine.js';
import type { Measurement, Suite, SuiteOptions } from '../lib/measurement.js';

const SUITE = 'sponsor';
const ORIGIN = 'bench.example/site-9/gw-sponsor';
const DEVICES = 200;
const CHECKPOINT_EVERY = 10_000;
const IN_FLIGHT = 4096;
const TARGET_SECONDS = 10;
const CLI = fileURLToPath(new URL('../../../cli/bin/trialgate.js', import.meta.url));

interface Device {
  readonly id: string;
  readonly signer: Ed25519Signer;
  readonly publicKey: Uint8Array;
}

function fleet(): Device[] {
  return Array.from({ length: DEVICES }, (_, i) => {
    const seed = new Uint8Array(32);
    new DataView(seed.buffer).setUint32(0, i + 1);
    seed.set(new TextEncoder().encode('trialgate-sponsor'), 4);
    return { id: `wear-${String(i).padStart(4, '0')}`, signer: createEd25519Signer(seed), publicKey: ed25519PublicKey(seed) };
  });
}

/** Appends readings [from, to) with `IN_FLIGHT` appends outstanding, as a busy broker keeps the store. */
function appendReadings(store: LogStore, devices: readonly Device[], from: number, to: number, t0: number): Promise<void> {
  return appendInFlight(store.log, { from, to, inFlight: IN_FLIGHT }, (i) => {
    const device = devices[i % devices.length] as Device;
    const seq = Math.floor(i / devices.length) + 1;
    const t = t0 + i * 50;
    const original = createDeviceMessage({
      payload: { v: 1, dev: device.id, seq, t, type: 'heart_rate', data: { bpm: 55 + (i % 60), rr_ms: [812, 790 + (i % 20), 805, 799] } },
      secretKey: device.signer,
    });
    const entry: LogEntry = { receivedAtMs: t + 120, transport: 'mqtt', deviceId: device.id, contentType: 'cose-sign1', original };
    return { entry, claim: { deviceId: device.id, seq } };
  });
}

async function buildLog(dataDir: string, entries: number): Promise<string> {
  const devices = fleet();
  const admin = await openAdmin({ dataDir, clock: systemClock, holder: 'bench sponsor' });
  try {
    const lines = devices.map((d) => JSON.stringify({ id: d.id, public_key: Buffer.from(d.publicKey).toString('base64'), kind: 'wearable' }));
    await admin.operations.importDevices(lines.join('\n'), 'bench');
  } finally {
    await admin.close();
  }
  const store = openLogStore({ dataDir, origin: ORIGIN, projections: [registryProjection] });
  const key = loadOrCreateGatewayKey({ dataDir, origin: ORIGIN });
  const checkpointer = new Checkpointer({ origin: ORIGIN, log: store.log, tree: store.tree, checkpoints: store.checkpoints, key, clock: systemClock });
  try {
    const t0 = Date.UTC(2026, 0, 5);
    for (let from = 0; from < entries; from += CHECKPOINT_EVERY) {
      await appendReadings(store, devices, from, Math.min(entries, from + CHECKPOINT_EVERY), t0);
      await checkpointer.checkpointNow();
    }
  } finally {
    await checkpointer.stop();
    await store.close();
  }
  return key.verifierKey;
}

/** The command's wall time, spawn to exit; throws unless it exits with status 0. */
function timed(args: readonly string[]): { readonly ms: number; readonly stdout: string } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`trialgate ${args[0] ?? ''} exited with ${String(result.status ?? result.signal)}: ${result.stderr}${result.stdout.slice(0, 500)}`);
  return { ms, stdout: result.stdout };
}

export const run: Suite = async (options: SuiteOptions): Promise<readonly Measurement[]> => {
  const entries = options.quick ? 10_000 : 100_000;
  const rows: Measurement[] = [];
  const row = (name: string, value: number, unit: string, params: Record<string, string | number> = {}, note?: string): void => {
    rows.push({ suite: SUITE, name, value, unit, params, ...(note === undefined ? {} : { note }) });
  };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bench-sponsor-'));
  try {
    const gatewayKey = await buildLog(dataDir, entries);
    const bundle = path.join(dataDir, 'bundle.json');
    const cores = os.availableParallelism();

    const startup = timed(['--help']);
    row('trialgate start-up (--help), for reference', Math.round(startup.ms), 'ms');

    const exported = timed(['export', '--data', dataDir, '--out', bundle, '--json']);
    const summary = JSON.parse(exported.stdout) as { entries: number; bytes: number; checkpoints: number };
    const params = { entries: summary.entries, checkpoints: summary.checkpoints };
    const mib = Math.round((fs.statSync(bundle).size / 2 ** 20) * 10) / 10;
    const verdict = (s: number): string => `${s < TARGET_SECONDS ? 'under' : 'OVER'} the ${TARGET_SECONDS} s target`;
    row('trialgate export (spawned, to exit)', Math.round(exported.ms), 'ms', params, `${mib} MiB of JSON, ${Math.round(summary.entries / (exported.ms / 1000)).toLocaleString('en-US')} entries/s; ${verdict(exported.ms / 1000)}`);

    const verified = timed(['verify', bundle, '--gateway-key', gatewayKey, '--json']);
    const report = JSON.parse(verified.stdout) as { verdict: string; counts: { entriesVerified: number; signedEntries: number } };
    if (report.verdict !== 'valid' || report.counts.entriesVerified !== summary.entries) throw new Error(`the exported bundle did not verify: ${report.verdict}`);
    row(
      'trialgate verify (spawned, to exit; signatures on worker threads)',
      Math.round(verified.ms),
      'ms',
      { ...params, threads: cores },
      `${Math.round(summary.entries / (verified.ms / 1000)).toLocaleString('en-US')} entries/s; ${verdict(verified.ms / 1000)}`,
    );
    const single = timed(['verify', bundle, '--gateway-key', gatewayKey, '--threads', '0', '--json']);
    if (single.stdout !== verified.stdout) throw new Error('trialgate verify --threads 0 gave another report');
    row('trialgate verify --threads 0 (main thread only)', Math.round(single.ms), 'ms', { ...params, threads: 0 }, `${Math.round(summary.entries / (single.ms / 1000)).toLocaleString('en-US')} entries/s`);
    row('verify speed-up from worker threads', Math.round((single.ms / verified.ms) * 100) / 100, 'x', { cores });

    // In process, phase by phase (what the spawned command spends beyond start-up).
    let t = performance.now();
    const bytes = new Uint8Array(fs.readFileSync(bundle));
    const readMs = performance.now() - t;
    t = performance.now();
    const parsed = parseBundle(bytes);
    const parseMs = performance.now() - t;
    t = performance.now();
    const inProcess = await verifyBundle(parsed.bundle, { trustedGatewayKey: gatewayKey, signatureWorkers: cores });
    const verifyMs = performance.now() - t;
    if (inProcess.verdict !== 'valid') throw new Error('in-process verification failed');
    row('in process: read the file', Math.round(readMs), 'ms', params);
    row('in process: parseBundle (UTF-8, JSON, duplicate keys, shape)', Math.round(parseMs), 'ms', params);
    row('in process: verifyBundle (signature workers start, every check)', Math.round(verifyMs), 'ms', { ...params, threads: cores }, `${Math.round(summary.entries / (verifyMs / 1000)).toLocaleString('en-US')} entries/s`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const rows = await run({ quick });
  console.log(JSON.stringify(describeMachine()));
  console.log('| measurement | value | unit | params | note |\n|---|---:|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.value.toLocaleString('en-US')} | ${r.unit} | ${JSON.stringify(r.params ?? {})} | ${r.note ?? ''} |`);
}
