import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '@trialgate/firmware-protocol';
import {
  ANCHOR_RESULT_FORMAT,
  checkpointDigestHex,
  parseBundle,
  serializeBundle,
  verifyBundleText,
} from '@trialgate/proof-formats';
import { AnchorStore } from '../anchoring/anchor-store.js';
import { Checkpointer } from '../checkpoints/checkpointer.js';
import { loadOrCreateGatewayKey } from '../keys/gateway-key.js';
import { openLogStore, type LogStore } from '../storage/log-store.js';
import { liveLogView } from '../storage/log-view.js';
import { readingEntry, testDeviceSecret } from '../storage/testing/test-messages.js';
import { DeviceRegistry } from '../registry/device-registry.js';
import { RegistryAdmin } from '../registry/registry-admin.js';
import { registryProjection } from '../registry/registry-projection.js';
import type { DeviceKeySource } from './device-key-source.js';
import { exportBundle, exportBundleToFile } from './export-bundle.js';

const ORIGIN = 'trial.example/site-8/gw';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const deviceKeys: DeviceKeySource = (id) => ({ kind: 'wearable', publicKeys: [ed25519PublicKey(testDeviceSecret(id))] });

async function populatedStore(): Promise<{ store: LogStore; checkpointer: Checkpointer; dataDir: string; verifierKey: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-export-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const store = openLogStore({ dataDir, origin: ORIGIN, segmentCapacity: 16 });
  cleanups.push(() => store.close());
  const key = loadOrCreateGatewayKey({ dataDir, origin: ORIGIN });
  const checkpointer = new Checkpointer({
    origin: ORIGIN,
    log: store.log,
    tree: store.tree,
    checkpoints: store.checkpoints,
    key,
    clock: { now: () => 1_800_000_000_000 },
  });
  // Three devices, 40 readings each, receipt times 1 s apart; a checkpoint every 30 entries.
  for (let seq = 1; seq <= 40; seq++) {
    for (const device of ['wearable-1', 'cuff-2', 'scale-3']) {
      const r = readingEntry(device, seq, { receivedAtMs: 1_700_000_000_000 + seq * 1000 });
      await store.log.append(r.entry, r.claim);
      if (store.log.size() % 30 === 0) await checkpointer.checkpointNow();
    }
  }
  await store.log.append(readingEntry('wearable-1', 41).entry, { deviceId: 'wearable-1', seq: 41 });
  return { store, checkpointer, dataDir, verifierKey: key.verifierKey };
}

async function exportText(options: Omit<Parameters<typeof exportBundle>[0], 'out'>): Promise<{ text: string; summary: Awaited<ReturnType<typeof exportBundle>> }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const summary = await exportBundle({ ...options, out });
  out.end();
  return { text: Buffer.concat(chunks).toString('utf8'), summary };
}

describe('exportBundle', () => {
  it('exports every checkpointed entry as a bundle that verifies, byte for byte what serializeBundle writes', async () => {
    const { store, verifierKey } = await populatedStore();
    const { text, summary } = await exportText({ view: liveLogView(store), gatewayKey: verifierKey, deviceKeys });
    expect(summary).toMatchObject({ entries: 120, checkpoints: 1, treeSize: 120, notYetCheckpointed: 1, devices: 3 });
    const report = await verifyBundleText(text, { trustedGatewayKey: verifierKey });
    expect(report.verdict).toBe('valid');
    expect(serializeBundle(parseBundle(text).bundle)).toBe(text);
  });

  it('proves entries against the smallest final-anchored checkpoint containing them, else the latest', async () => {
    const { store, verifierKey } = await populatedStore();
    const anchors = new AnchorStore(store.db, ORIGIN);
    anchors.record({
      format: ANCHOR_RESULT_FORMAT,
      origin: ORIGIN,
      treeSize: 60,
      digest: checkpointDigestHex(store.checkpoints.get(60)?.note ?? ''),
      state: 'final',
      chainId: 31337,
      txHash: `0x${'ab'.repeat(32)}`,
      from: `0x${'cd'.repeat(20)}`,
      blockNumber: 12,
      observedAtMs: 1,
    });
    const { text } = await exportText({ view: liveLogView(store), gatewayKey: verifierKey, deviceKeys });
    const { bundle } = parseBundle(text);
    expect(bundle.checkpoints).toHaveLength(2);
    expect(bundle.checkpoints[0]?.anchors).toEqual([
      { chain_id: 31337, tx_hash: `0x${'ab'.repeat(32)}`, block_number: 12, from: `0x${'cd'.repeat(20)}` },
    ]);
    expect(bundle.consistency).toMatchObject([{ from_size: 60, to_size: 120 }]);
    expect(bundle.entries.filter((e) => e.checkpoint === 0)).toHaveLength(60);
    const report = await verifyBundleText(text, { trustedGatewayKey: verifierKey });
    // Anchors are not checked without an RPC endpoint; everything else is.
    expect(report.verdict).toBe('valid');
  });

  it('selects devices and a receipt-time range', async () => {
    const { store, verifierKey } = await populatedStore();
    const { text, summary } = await exportText({
      view: liveLogView(store),
      gatewayKey: verifierKey,
      deviceKeys,
      devices: ['cuff-2'],
      fromMs: 1_700_000_000_000 + 10_000,
      toMs: 1_700_000_000_000 + 20_000,
    });
    expect(summary.entries).toBe(10);
    const { bundle } = parseBundle(text);
    expect(bundle.devices.map((d) => d.id)).toEqual(['cuff-2']);
    expect((await verifyBundleText(text, { trustedGatewayKey: verifierKey })).verdict).toBe('valid');
  });

  it('writes a file atomically that fails verification once tampered with', async () => {
    const { store, verifierKey, dataDir } = await populatedStore();
    const file = path.join(dataDir, 'bundle.json');
    await exportBundleToFile({ view: liveLogView(store), gatewayKey: verifierKey, deviceKeys, file });
    expect(fs.readdirSync(dataDir).filter((n) => n.includes('partial'))).toEqual([]);
    const text = fs.readFileSync(file, 'utf8');
    expect((await verifyBundleText(text, { trustedGatewayKey: verifierKey })).verdict).toBe('valid');
    const bundle = JSON.parse(text) as { entries: { entry: string }[] };
    const entry = Buffer.from(bundle.entries[5]?.entry ?? '', 'base64');
    entry.writeUInt8(entry.readUInt8(entry.length - 70) ^ 1, entry.length - 70);
    const tampered = text.replace(bundle.entries[5]?.entry ?? '', entry.toString('base64'));
    expect(tampered).not.toBe(text);
    expect((await verifyBundleText(tampered, { trustedGatewayKey: verifierKey })).verdict).toBe('invalid');
  });

  it('exports a device enrolled without a key: its gatt values verify on the attestation alone, and devices lists only keys', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-export-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const store = openLogStore({ dataDir, origin: ORIGIN, projections: [registryProjection] });
    cleanups.push(() => store.close());
    const clock = { now: () => 1_800_000_000_000 };
    const registry = new DeviceRegistry(store.log, []);
    cleanups.push(() => registry.close());
    const admin = new RegistryAdmin({ log: store.log, registry, clock });
    await admin.enroll({ id: 'hr-strap-1', kind: 'hr-strap' }, 'cli');
    await admin.enroll({ id: 'wearable-1', kind: 'wearable', publicKey: ed25519PublicKey(testDeviceSecret('wearable-1')) }, 'cli');
    for (const bpm of [71, 72]) {
      await store.log.append({ receivedAtMs: clock.now() + bpm, transport: 'ble', deviceId: 'hr-strap-1', contentType: 'gatt:2a37', original: Uint8Array.of(0x00, bpm) });
    }
    const reading = readingEntry('wearable-1', 1);
    await store.log.append(reading.entry, reading.claim);
    const key = loadOrCreateGatewayKey({ dataDir, origin: ORIGIN });
    await new Checkpointer({ origin: ORIGIN, log: store.log, tree: store.tree, checkpoints: store.checkpoints, key, clock }).checkpointNow();

    // The registry's own keys (no deviceKeys option), as `trialgate export` does.
    const { text } = await exportText({ view: liveLogView(store), gatewayKey: key.verifierKey });
    const { bundle } = parseBundle(text);
    expect(bundle.devices.map((d) => d.id)).toEqual(['wearable-1']);
    const report = await verifyBundleText(text, { trustedGatewayKey: key.verifierKey });
    expect(report.verdict).toBe('valid');
    expect(report.counts).toMatchObject({ entries: 5, entriesVerified: 5, attestedEntries: 2, registryEntries: 2, signedEntries: 1 });
    // The keyless enrolment is read as "no key", not as an unreadable registry change.
    expect(report.warnings).toEqual([]);
  });

  it('refuses a log without a checkpoint', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-export-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const store = openLogStore({ dataDir, origin: ORIGIN });
    cleanups.push(() => store.close());
    await expect(exportText({ view: liveLogView(store), gatewayKey: 'x', deviceKeys })).rejects.toMatchObject({
      code: 'E_EXPORT_NO_CHECKPOINT',
    });
  });
});
