/**
 * Resident memory of the gateway against the size of its log (issue 3: flat as the log grows, at most 300 MB
 * after 10 million entries; issue 7: the curve). A real gateway (`startGateway`: broker, HTTP API, signature
 * workers, checkpointer, registry, all of it, on free ports, no Redis) in this process; entries are appended
 * through its own durable store (`gateway.store.log.append`, with a (device, seq) claim each, 8,192 in flight),
 * not over MQTT (issue 3), and checkpointed as they go. After every step the process collects garbage and
 * samples its resident set, the V8 heap, and memory outside the heap (buffers, SQLite, ...).
 *
 * Steps: 0 to 10 million entries by 1 million (`--quick`: 0 to 150,000 by 50,000). Entries are ~200-byte
 * signed readings from a pool of pre-signed messages (signing 10 million would measure Ed25519, not memory).
 * The runner gives each suite its own process, so no other suite's garbage is counted.
 *
 * Run: `npx tsc -b && node --expose-gc bench/dist/suites/memory.js [--quick]` (data in the OS temp directory,
 * removed afterwards; the full run needs ~3.5 GB of disk and ~8 minutes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDeviceMessage } from '@trialgate/firmware-protocol';
import type { LogEntry } from '@trialgate/proof-formats';
import { resolveGatewayConfig, silentLogger, startGateway, type LogStore } from '@trialgate/gateway';
import { appendInFlight } from '../lib/append-in-flight.js';
import { describeMachine } from '../lib/machine.js';
import type { Measurement, Suite, SuiteOptions } from '../lib/measurement.js';

const SUITE = 'memory';
const ORIGIN = 'bench.example/site-3/gw-memory';
const DEVICES = 200;
const IN_FLIGHT = 8192;
const MIB = 2 ** 20;

interface Sample {
  readonly entries: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly outsideHeapMiB: number;
}

function mib(bytes: number): number {
  return Math.round((bytes / MIB) * 10) / 10;
}

function sample(entries: number): Sample {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { entries, rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), outsideHeapMiB: mib(m.external + m.arrayBuffers) };
}

function originalsPool(size: number): Uint8Array[] {
  const secret = new Uint8Array(32).fill(11);
  return Array.from({ length: size }, (_, i) =>
    createDeviceMessage({
      payload: { v: 1, dev: 'hr-0001', seq: i + 1, t: 1_767_225_600_000 + i * 1000, type: 'heart_rate', data: { bpm: 60 + (i % 40), rr_ms: [812, 790, 805, 799] } },
      secretKey: secret,
    }),
  );
}

/** Appends entries [from, to) with `IN_FLIGHT` appends outstanding. */
function appendRange(store: LogStore, pool: readonly Uint8Array[], from: number, to: number): Promise<void> {
  return appendInFlight(store.log, { from, to, inFlight: IN_FLIGHT }, (i) => {
    const deviceId = `hr-${String(i % DEVICES).padStart(4, '0')}`;
    const entry: LogEntry = { receivedAtMs: 1_767_225_600_000 + i, transport: 'mqtt', deviceId, contentType: 'cose-sign1', original: pool[i % pool.length] ?? new Uint8Array(1) };
    return { entry, claim: { deviceId, seq: Math.floor(i / DEVICES) + 1 } };
  });
}

export const run: Suite = async (options: SuiteOptions): Promise<readonly Measurement[]> => {
  const step = options.quick ? 50_000 : 1_000_000;
  const last = options.quick ? 150_000 : 10_000_000;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bench-memory-'));
  const samples: Sample[] = [];
  let appendSeconds = 0;
  const beforeGateway = sample(0);
  try {
    const { config } = resolveGatewayConfig({
      flags: { data: dataDir, origin: ORIGIN, mqttHost: '127.0.0.1', mqttPort: '0', httpPort: '0', logLevel: 'silent' },
      env: {},
      cwd: process.cwd(),
      cores: os.availableParallelism(),
    });
    const gateway = await startGateway(config, { logger: silentLogger() });
    try {
      const pool = originalsPool(4096);
      samples.push(sample(0));
      for (let from = 0; from < last; from += step) {
        const started = performance.now();
        await appendRange(gateway.store, pool, from, from + step);
        await gateway.checkpointer.checkpointNow();
        appendSeconds += (performance.now() - started) / 1000;
        samples.push(sample(from + step));
      }
    } finally {
      await gateway.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const rows: Measurement[] = [];
  for (const s of samples) {
    rows.push({ suite: SUITE, name: 'resident memory (RSS)', value: s.rssMiB, unit: 'MiB', params: { entries: s.entries } });
    rows.push({ suite: SUITE, name: 'V8 heap used', value: s.heapUsedMiB, unit: 'MiB', params: { entries: s.entries } });
    rows.push({ suite: SUITE, name: 'outside the V8 heap (buffers, external)', value: s.outsideHeapMiB, unit: 'MiB', params: { entries: s.entries } });
  }
  const first = samples[1] ?? samples[0];
  const final = samples.at(-1);
  if (first !== undefined && final !== undefined) {
    rows.push({
      suite: SUITE,
      name: `RSS growth from ${first.entries.toLocaleString('en-US')} to ${final.entries.toLocaleString('en-US')} entries`,
      value: Math.round((final.rssMiB - first.rssMiB) * 10) / 10,
      unit: 'MiB',
      note: `highest sample ${Math.max(...samples.map((s) => s.rssMiB))} MiB; the process before the gateway started: ${beforeGateway.rssMiB} MiB; target: at most 300 MB (286 MiB) after 10 million entries`,
    });
  }
  rows.push({ suite: SUITE, name: 'appends through the running gateway\'s store, with a checkpoint per step', value: Math.round(last / appendSeconds), unit: 'entries/s', params: { inFlight: IN_FLIGHT } });
  return rows;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const rows = await run({ quick });
  console.log(JSON.stringify(describeMachine()));
  console.log('| measurement | value | unit | params | note |\n|---|---:|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.value.toLocaleString('en-US')} | ${r.unit} | ${JSON.stringify(r.params ?? {})} | ${r.note ?? ''} |`);
}
