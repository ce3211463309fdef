import { createHash } from 'node:crypto';
import { createDeviceMessage, ed25519PublicKey, encodeCbor } from '@trialgate/firmware-protocol';
import type { AnchorClaim } from '../anchor/anchor-verifier.js';
import { assembleBundle } from '../bundle/assemble-bundle.js';
import type { ProofBundle } from '../bundle/proof-bundle.js';
import { checkpointDigest } from '../checkpoint/checkpoint-digest.js';
import { signCheckpoint } from '../checkpoint/signed-checkpoint.js';
import { encodeLogEntry } from '../entry/encode-log-entry.js';
import type { LogEntry } from '../entry/log-entry.js';
import { createNoteSigner, type NoteSigner } from '../note/note-signer.js';
import { IncrementalTree } from '../tree/incremental-tree.js';
import { MemoryTreeHashStore } from '../tree/memory-tree-hash-store.js';

export interface SampleBundleOptions {
  readonly origin?: string;
  /** Signing devices (MQTT); default 2. */
  readonly devices?: number;
  /** Readings per signing device; default 3. */
  readonly readingsPerDevice?: number;
  /** Checkpoints, at evenly spaced sizes, the last covering every entry; default 2. */
  readonly checkpoints?: number;
  /** A `registry` enrolment per device before its readings; default true. */
  readonly registry?: boolean;
  /** One `gatt:2a37` entry from a BLE heart-rate strap and one `gateway` record; default true. */
  readonly unsignedEntries?: boolean;
  /** Anchors to record per checkpoint, given its position and digest. */
  readonly anchors?: (position: number, digest: Uint8Array) => readonly AnchorClaim[];
  /** Varies every key, deterministically. */
  readonly seed?: string;
  /** More signed readings appended after the others (a repeated seq, a second key after rotation...). */
  readonly extraReadings?: readonly { readonly device: number; readonly seq: number; readonly bpm: number; readonly secretKey?: Uint8Array }[];
}

export interface SampleBundle {
  readonly bundle: ProofBundle;
  readonly gatewaySigner: NoteSigner;
  /** Device id -> 32-byte secret key. */
  readonly deviceSecrets: ReadonlyMap<string, Uint8Array>;
  /** Every log entry's bytes, by log index. */
  readonly entries: readonly Uint8Array[];
  readonly notes: readonly string[];
}

function seedBytes(seed: string, label: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`${seed}/${label}`).digest());
}

/**
 * A valid bundle made with this package's own writers (for the tests of the verifier, the CLI and the
 * gateway's export). The acceptance tests use an independent maker instead (test/independent-bundles).
 */
export function makeSampleBundle(options: SampleBundleOptions = {}): SampleBundle {
  const origin = options.origin ?? 'trial.example/site-042/gw-1';
  const seed = options.seed ?? 'sample';
  const gatewaySigner = createNoteSigner(origin, seedBytes(seed, 'gateway'));
  const deviceCount = options.devices ?? 2;
  const readings = options.readingsPerDevice ?? 3;
  const deviceSecrets = new Map<string, Uint8Array>();
  const logEntries: LogEntry[] = [];
  const t0 = 1_760_000_000_000;
  const ids = Array.from({ length: deviceCount }, (_, i) => `WR-${String(i + 1).padStart(4, '0')}`);
  for (const id of ids) {
    const secret = seedBytes(seed, id);
    deviceSecrets.set(id, secret);
    if (options.registry ?? true) {
      const change = new Map<string, Parameters<typeof encodeCbor>[0]>([
        ['v', 1],
        ['op', 'enroll'],
        ['dev', id],
        ['kind', 'wearable'],
        ['public_key', ed25519PublicKey(secret)],
        ['transports', ['mqtt']],
        ['subject', null],
      ]);
      logEntries.push({ receivedAtMs: t0, transport: 'admin', deviceId: id, contentType: 'registry', original: encodeCbor(change) });
    }
  }
  for (let seq = 1; seq <= readings; seq++) {
    ids.forEach((id, i) => {
      const t = t0 + seq * 60_000 + i;
      const original = createDeviceMessage({
        payload: { v: 1, dev: id, seq, t, type: 'heart_rate', data: { bpm: 60 + seq + i } },
        secretKey: deviceSecrets.get(id) ?? new Uint8Array(32),
      });
      logEntries.push({ receivedAtMs: t + 150, transport: 'mqtt', deviceId: id, contentType: 'cose-sign1', original });
    });
  }
  for (const extra of options.extraReadings ?? []) {
    const id = ids[extra.device] ?? 'WR-0001';
    const t = t0 + 3_600_000 + extra.seq;
    const original = createDeviceMessage({
      payload: { v: 1, dev: id, seq: extra.seq, t, type: 'heart_rate', data: { bpm: extra.bpm } },
      secretKey: extra.secretKey ?? deviceSecrets.get(id) ?? new Uint8Array(32),
    });
    logEntries.push({ receivedAtMs: t + 150, transport: 'mqtt', deviceId: id, contentType: 'cose-sign1', original });
  }
  if (options.unsignedEntries ?? true) {
    logEntries.push({ receivedAtMs: t0 + 5_000, transport: 'ble', deviceId: 'HR-STRAP-1', contentType: 'gatt:2a37', original: Uint8Array.of(0x00, 72) });
    logEntries.push({
      receivedAtMs: t0 + 6_000,
      transport: 'admin',
      deviceId: ids[0] ?? '',
      contentType: 'gateway',
      original: encodeCbor(new Map<string, Parameters<typeof encodeCbor>[0]>([['v', 1], ['event', 'reminder_sent']])),
    });
  }
  const entries = logEntries.map((e) => encodeLogEntry(e));
  const store = new MemoryTreeHashStore();
  const tree = IncrementalTree.open(store);
  tree.appendEntries(entries);
  const count = Math.max(1, options.checkpoints ?? 2);
  const notes: string[] = [];
  for (let k = 0; k < count; k++) {
    const size = Math.ceil((entries.length * (k + 1)) / count);
    notes.push(signCheckpoint({ origin, treeSize: size, rootHash: tree.root(size) }, [gatewaySigner]));
  }
  const bundle = assembleBundle({
    origin,
    gatewayKey: gatewaySigner.verifierKey,
    devices: ids.map((id) => ({ id, publicKey: ed25519PublicKey(deviceSecrets.get(id) ?? new Uint8Array(32)), kind: 'wearable' })),
    checkpoints: notes.map((note, position) => ({ note, anchors: options.anchors?.(position, checkpointDigest(note)) ?? [] })),
    entries: entries.map((entry, index) => ({ index, entry })),
    tree: store,
  });
  return { bundle, gatewaySigner, deviceSecrets, entries, notes };
}
