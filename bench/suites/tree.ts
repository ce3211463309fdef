/**
 * The RFC 9162 tree of @trialgate/proof-formats: SHA-256 leaf and node hashing, appends to an
 * `IncrementalTree` over the in-memory `TreeHashStore` (one by one, and in batches as a group commit does),
 * roots and proofs for random sizes read from stored nodes, proof verification on the sponsor's side, and
 * `verifyBundle` throughput on signed entries. The gateway adds its file-backed store at 1M and 10M entries.
 *
 * Run: `npx tsc -b && node bench/dist/suites/tree.js [--quick]`.
 */
import { createDeviceMessage, ed25519PublicKey } from '@trialgate/firmware-protocol';
import {
  IncrementalTree,
  MemoryTreeHashStore,
  assembleBundle,
  createNoteSigner,
  encodeLogEntry,
  leafHash,
  nodeHash,
  signCheckpoint,
  verifyBundle,
  verifyConsistencyProof,
  verifyInclusionProof,
} from '@trialgate/proof-formats';
import { pathToFileURL } from 'node:url';
import { describeMachine } from '../lib/machine.js';
import type { Measurement, Suite, SuiteOptions } from '../lib/measurement.js';

const SUITE = 'tree';

function opsPerSecond(iterations: number, body: (i: number) => void): number {
  for (let i = 0; i < Math.min(200, iterations); i += 1) body(i); // warm up the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) body(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return Math.round(iterations / seconds);
}

/** Deterministic pseudo-random integers (xorshift), so runs are comparable. */
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

export const run: Suite = async (options: SuiteOptions): Promise<readonly Measurement[]> => {
  const leaves = options.quick ? 100_000 : 1_000_000;
  const hashIterations = options.quick ? 100_000 : 1_000_000;
  const proofIterations = options.quick ? 20_000 : 100_000;
  const entry = new Uint8Array(150).map((_, i) => i);
  const left = leafHash(entry);
  const right = leafHash(entry.subarray(1));
  const rows: Measurement[] = [];
  const row = (name: string, value: number, unit: string, params: Record<string, string | number> = {}, note?: string): void => {
    rows.push({ suite: SUITE, name, value, unit, params, ...(note === undefined ? {} : { note }) });
  };

  row('leafHash SHA-256(0x00 || entry)', opsPerSecond(hashIterations, () => leafHash(entry)), 'ops/s', { entryBytes: entry.length });
  row('nodeHash SHA-256(0x01 || left || right)', opsPerSecond(hashIterations, () => nodeHash(left, right)), 'ops/s');

  const hashes = Array.from({ length: leaves }, (_, i) => {
    const e = Uint8Array.from(entry);
    e[0] = i & 0xff;
    e[1] = (i >>> 8) & 0xff;
    e[2] = (i >>> 16) & 0xff;
    return leafHash(e);
  });

  const single = IncrementalTree.open(new MemoryTreeHashStore());
  row('append one leaf hash per call (memory store)', opsPerSecond(leaves, (i) => single.appendLeafHash(hashes[i] ?? left)), 'appends/s', { leaves });

  const store = new MemoryTreeHashStore();
  const batched = IncrementalTree.open(store);
  const batch = 256;
  const start = process.hrtime.bigint();
  for (let i = 0; i < leaves; i += batch) batched.appendLeafHashes(hashes.slice(i, i + batch));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  row('append in batches of 256 (group commit, memory store)', Math.round(leaves / seconds), 'appends/s', { leaves, batch });

  const random = randomInts(42);
  const sizeAt = (): number => 1 + (random() % leaves);
  row('root of a random size (stored nodes)', opsPerSecond(proofIterations, () => batched.root(sizeAt())), 'ops/s', { leaves });
  row(
    'inclusion proof, random index and size',
    opsPerSecond(proofIterations, () => {
      const size = sizeAt();
      batched.inclusionProof(random() % size, size);
    }),
    'ops/s',
    { leaves },
  );
  row(
    'consistency proof, random sizes',
    opsPerSecond(proofIterations, () => {
      const a = sizeAt();
      const b = sizeAt();
      batched.consistencyProof(Math.min(a, b), Math.max(a, b));
    }),
    'ops/s',
    { leaves },
  );

  const size = leaves;
  const root = batched.root(size);
  const index = Math.floor(leaves / 3);
  const inclusion = batched.inclusionProof(index, size);
  const leaf = batched.leafHash(index);
  row('verifyInclusionProof (sponsor side)', opsPerSecond(proofIterations, () => verifyInclusionProof({ index, size, leafHash: leaf, proof: inclusion, root })), 'ops/s', { leaves, proofHashes: inclusion.length });
  const from = Math.floor(leaves / 2) + 7;
  const consistency = batched.consistencyProof(from, size);
  const fromRoot = batched.root(from);
  row('verifyConsistencyProof (sponsor side)', opsPerSecond(proofIterations, () => verifyConsistencyProof({ fromSize: from, toSize: size, proof: consistency, fromRoot, toRoot: root })), 'ops/s', { leaves, proofHashes: consistency.length });

  // verifyBundle on signed heart-rate readings: what a sponsor waits for per entry.
  const bundleEntries = options.quick ? 2_000 : 10_000;
  const origin = 'bench.example/gw';
  const gateway = createNoteSigner(origin, new Uint8Array(32).fill(1));
  const secret = new Uint8Array(32).fill(2);
  const entries = Array.from({ length: bundleEntries }, (_, i) =>
    encodeLogEntry({
      receivedAtMs: 1_767_225_600_000 + i,
      transport: 'mqtt',
      deviceId: 'hr-0001',
      contentType: 'cose-sign1',
      original: createDeviceMessage({ payload: { v: 1, dev: 'hr-0001', seq: i + 1, t: 1_767_225_600_000 + i, type: 'heart_rate', data: { bpm: 60 + (i % 40) } }, secretKey: secret }),
    }),
  );
  const bundleStore = new MemoryTreeHashStore();
  const bundleTree = IncrementalTree.open(bundleStore);
  bundleTree.appendEntries(entries);
  const half = Math.floor(bundleEntries / 2);
  const bundle = assembleBundle({
    origin,
    gatewayKey: gateway.verifierKey,
    devices: [{ id: 'hr-0001', publicKey: ed25519PublicKey(secret), kind: 'wearable' }],
    checkpoints: [half, bundleEntries].map((n) => ({ note: signCheckpoint({ origin, treeSize: n, rootHash: bundleTree.root(n) }, [gateway]) })),
    entries: entries.map((bytes, i) => ({ index: i, entry: bytes })),
    tree: bundleStore,
  });
  const t0 = process.hrtime.bigint();
  const report = await verifyBundle(bundle);
  const verifySeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (report.verdict !== 'valid') throw new Error(`the benchmark bundle did not verify: ${report.summary}`);
  row('verifyBundle, signed entries (inclusion + COSE signature + seq)', Math.round(bundleEntries / verifySeconds), 'entries/s', { entries: bundleEntries }, 'single thread, node:crypto Ed25519');
  return rows;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const rows = await run({ quick });
  console.log(JSON.stringify(describeMachine()));
  console.log('| measurement | value | unit | params |\n|---|---:|---|---|');
  for (const row of rows) console.log(`| ${row.name} | ${row.value.toLocaleString('en-US')} | ${row.unit} | ${JSON.stringify(row.params ?? {})} |`);
}
