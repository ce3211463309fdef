/**
 * The gateway's durable log store (gateway/src/storage): appends through the real store (group commit,
 * fdatasync, seq index in SQLite, file-backed tree), inclusion and consistency proof generation, checkpoint
 * signing, and resident memory as the log grows, at 1 million and 10 million entries (`--quick`: 50,000 and
 * 200,000). Then an export of a 100,000-entry log of signed readings.
 *
 * Entries are realistic in size (a signed heart-rate reading, ~160-byte COSE_Sign1 in a ~200-byte entry)
 * but their originals come from a pool of pre-signed messages, since signing 10 million messages would
 * measure Ed25519, not the store; every append carries its own (device, seq) claim, so the seq index grows
 * by one row per entry as in production.
 *
 * Run: `npx tsc -b && node --expose-gc bench/dist/suites/log-store.js [--quick]` (data in the OS temp
 * directory, removed afterwards; the full run needs ~5 GB of disk and a few minutes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createDeviceMessage } from '@trialgate/firmware-protocol';
import { signCheckpoint, type LogEntry } from '@trialgate/proof-formats';
import {
  Checkpointer,
  createGatewayMetrics,
  exportBundle,
  liveLogView,
  loadOrCreateGatewayKey,
  openLogStore,
  type LogStore,
} from '@trialgate/gateway';
import { appendInFlight } from '../lib/append-in-flight.js';
import { describeMachine } from '../lib/machine.js';
import type { Measurement, Suite, SuiteOptions } from '../lib/measurement.js';

const SUITE = 'log-store';
const ORIGIN = 'bench.example/site-1/gw';
const DEVICES = 200;
const IN_FLIGHT = 8192;

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function rssMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    const stat = fs.statSync(file);
    total += stat.isDirectory() ? directoryBytes(file) : stat.size;
  }
  return total;
}

/** Deterministic pseudo-random integers (xorshift). */
function randomInts(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function originalsPool(size: number): Uint8Array[] {
  const secret = new Uint8Array(32).fill(9);
  return Array.from({ length: size }, (_, i) =>
    createDeviceMessage({
      payload: { v: 1, dev: 'hr-0001', seq: i + 1, t: 1_767_225_600_000 + i * 1000, type: 'heart_rate', data: { bpm: 60 + (i % 40) } },
      secretKey: secret,
    }),
  );
}

/** Appends entries [from, to) with `IN_FLIGHT` appends outstanding (what a busy broker keeps the store at). */
function appendRange(store: LogStore, pool: readonly Uint8Array[], from: number, to: number): Promise<void> {
  return appendInFlight(store.log, { from, to, inFlight: IN_FLIGHT }, (i) => {
    const device = `hr-${String(i % DEVICES).padStart(4, '0')}`;
    const entry: LogEntry = {
      receivedAtMs: 1_767_225_600_000 + i,
      transport: 'mqtt',
      deviceId: device,
      contentType: 'cose-sign1',
      original: pool[i % pool.length] ?? new Uint8Array(1),
    };
    return { entry, claim: { deviceId: device, seq: Math.floor(i / DEVICES) + 1 } };
  });
}

export const run: Suite = async (options: SuiteOptions): Promise<readonly Measurement[]> => {
  const sizes = options.quick ? [50_000, 200_000] : [1_000_000, 10_000_000];
  const proofIterations = options.quick ? 5_000 : 50_000;
  const rows: Measurement[] = [];
  const row = (name: string, value: number, unit: string, params: Record<string, string | number> = {}, note?: string): void => {
    rows.push({ suite: SUITE, name, value, unit, params, ...(note === undefined ? {} : { note }) });
  };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bench-log-'));
  const pool = originalsPool(4096);
  const rssStart = rssMiB();
  try {
    const metrics = createGatewayMetrics({ defaultMetrics: false });
    let store = openLogStore({ dataDir, origin: ORIGIN, metrics });
    const key = loadOrCreateGatewayKey({ dataDir, origin: ORIGIN });
    let appended = 0;
    let peakRss = rssStart;
    for (const size of sizes) {
      const started = process.hrtime.bigint();
      // Append in slices, sampling resident memory between them.
      const slice = Math.max(50_000, Math.floor(size / 20));
      for (let from = appended; from < size; from += slice) {
        await appendRange(store, pool, from, Math.min(size, from + slice));
        peakRss = Math.max(peakRss, rssMiB());
      }
      const elapsed = seconds(started);
      row('append (group commit + fdatasync, seq index, file tree)', Math.round((size - appended) / elapsed), 'entries/s', {
        from: appended,
        to: size,
        inFlight: IN_FLIGHT,
      });
      appended = size;
      const commits = (await metrics.fsyncSeconds.get()).values.find((v) => v.metricName === 'trialgate_storage_fsync_seconds_count')?.value ?? 0;
      const fsyncSum = (await metrics.fsyncSeconds.get()).values.find((v) => v.metricName === 'trialgate_storage_fsync_seconds_sum')?.value ?? 0;
      row('group commits so far (mean entries per fsync)', Math.round(appended / Math.max(1, commits)), 'entries/commit', { entries: size });
      row('mean write + fdatasync per group commit', Math.round((fsyncSum / Math.max(1, commits)) * 1e6) / 1e3, 'ms', { entries: size });
      row('resident memory after appending', rssMiB(), 'MiB', { entries: size }, `peak ${peakRss} MiB, at start ${rssStart} MiB`);
      row('disk used per entry (segments, offsets, tree, state db)', Math.round(directoryBytes(dataDir) / size), 'bytes', { entries: size });

      // Proofs against the whole tree, random indices and sizes, from the stored tree files.
      const random = randomInts(size);
      let t0 = process.hrtime.bigint();
      let hashes = 0;
      for (let i = 0; i < proofIterations; i++) hashes += store.tree.inclusionProof(random() % size, size).length;
      row('inclusion proof generation (random index, full tree)', Math.round(proofIterations / seconds(t0)), 'proofs/s', { entries: size, meanHashes: Math.round(hashes / proofIterations) });
      t0 = process.hrtime.bigint();
      for (let i = 0; i < proofIterations; i++) store.tree.consistencyProof(1 + (random() % (size - 1)), size);
      row('consistency proof generation (random old size)', Math.round(proofIterations / seconds(t0)), 'proofs/s', { entries: size });

      // Checkpoint signing: the root from stored nodes plus the Ed25519 note signature...
      const signings = options.quick ? 2_000 : 10_000;
      t0 = process.hrtime.bigint();
      for (let i = 0; i < signings; i++) {
        signCheckpoint({ origin: ORIGIN, treeSize: size - (i % 1000), rootHash: store.tree.root(size - (i % 1000)) }, [key.signer]);
      }
      row('checkpoint root + note signature', Math.round(signings / seconds(t0)), 'checkpoints/s', { entries: size });
      // ...and a whole checkpoint as the gateway makes it (fsync of the tree files, checkpoint file, outbox).
      const checkpointer = new Checkpointer({ origin: ORIGIN, log: store.log, tree: store.tree, checkpoints: store.checkpoints, key, clock: { now: () => Date.now() } });
      t0 = process.hrtime.bigint();
      await checkpointer.checkpointNow();
      row('checkpoint as the gateway signs it (sync tree, store, outbox)', Math.round(seconds(t0) * 1e4) / 10, 'ms', { entries: size });

      // Reopen after a clean close (recovery checks the latest checkpoint against the stored tree).
      await store.close();
      t0 = process.hrtime.bigint();
      store = openLogStore({ dataDir, origin: ORIGIN, metrics });
      row('open after a clean close', Math.round(seconds(t0) * 1e4) / 10, 'ms', { entries: size });
    }
    await store.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  // Export: a 100,000-entry log of signed readings, streamed to a sink.
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bench-export-'));
  try {
    const entries = options.quick ? 20_000 : 100_000;
    const store = openLogStore({ dataDir: exportDir, origin: ORIGIN });
    const key = loadOrCreateGatewayKey({ dataDir: exportDir, origin: ORIGIN });
    await appendRange(store, pool, 0, entries);
    const checkpointer = new Checkpointer({ origin: ORIGIN, log: store.log, tree: store.tree, checkpoints: store.checkpoints, key, clock: { now: () => Date.now() } });
    await checkpointer.checkpointNow();
    const sink = new PassThrough();
    let bytes = 0;
    sink.on('data', (chunk: Buffer) => (bytes += chunk.length));
    const t0 = process.hrtime.bigint();
    const summary = await exportBundle({ view: liveLogView(store), gatewayKey: key.verifierKey, out: sink, deviceKeys: () => undefined });
    const elapsed = seconds(t0);
    row('export bundle (select, prove, stream)', Math.round(elapsed * 1000), 'ms', { entries: summary.entries }, `${Math.round(bytes / 2 ** 20)} MiB of JSON, ${Math.round(summary.entries / elapsed)} entries/s`);
    await store.close();
  } finally {
    fs.rmSync(exportDir, { recursive: true, force: true });
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
