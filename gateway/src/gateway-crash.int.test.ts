/**
 * kill -9 of a spawned `trialgate gateway` while devices publish at QoS 1: after a restart, every message
 * that got a PUBACK is in the log exactly once, byte for byte, and messages resent after the crash are
 * logged once too (spec section 3: an acknowledged message is never lost). Uses the built CLI (dist/).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConnectToken, decodeDeviceMessage } from '@trialgate/firmware-protocol';
import { decodeLogEntry } from '@trialgate/proof-formats';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { testDevice, type TestDevice } from './ingest/ingest-test-kit.js';
import { uplinkTopic } from './mqtt/device-topics.js';
import { encodePublicKeyText } from './registry/public-key-text.js';
import { openLogStore } from './storage/log-store.js';

const CLI = fileURLToPath(new URL('../../cli/bin/trialgate.js', import.meta.url));
const ORIGIN = 'test.example/site-1/gw-crash';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly startedInMs: number;
}

async function startGatewayProcess(dataDir: string): Promise<Started> {
  const begun = performance.now();
  const child = spawn(process.execPath, [CLI, 'gateway', '--data', dataDir, '--origin', ORIGIN, '--mqtt-host', '127.0.0.1', '--mqtt-port', '0', '--log-level', 'warn', '--checkpoint-interval', '500ms'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /listening on mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (match !== null) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${text}`)));
  });
  return { child, port, startedInMs: performance.now() - begun };
}

class PublishingDevice {
  readonly sent = new Map<number, Buffer>();
  readonly acked = new Set<number>();
  private nextSeq = 1;
  private client: mqtt.MqttClient | null = null;
  private running = false;

  constructor(readonly device: TestDevice) {}

  async connect(port: number): Promise<void> {
    this.client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: this.device.id,
      username: this.device.id,
      password: Buffer.from(createConnectToken({ deviceId: this.device.id, secretKey: this.device.signer, issuedAtMs: Date.now() })),
      reconnectPeriod: 0,
      clean: true,
    });
    this.client.on('error', () => undefined);
  }

  /** Resends what was never acknowledged (the same bytes), then keeps publishing new readings. */
  run(): void {
    this.running = true;
    for (const [seq, bytes] of [...this.sent].filter(([s]) => !this.acked.has(s))) this.publish(seq, bytes);
    const tick = (): void => {
      if (!this.running || this.client?.connected !== true) return;
      for (let i = 0; i < 5; i += 1) {
        const seq = this.nextSeq++;
        const bytes = Buffer.from(this.device.message(seq));
        this.sent.set(seq, bytes);
        this.publish(seq, bytes);
      }
      setTimeout(tick, 5);
    };
    tick();
  }

  /** Stops producing and waits until everything sent has been acknowledged (bounded). */
  async drain(timeoutMs: number): Promise<void> {
    this.running = false;
    const until = Date.now() + timeoutMs;
    while (this.acked.size < this.sent.size && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.client?.endAsync(true).catch(() => undefined);
  }

  private publish(seq: number, bytes: Buffer): void {
    this.client?.publish(uplinkTopic(this.device.id), bytes, { qos: 1 }, (error) => {
      if (error === undefined || error === null) this.acked.add(seq);
    });
  }
}

describe('trialgate gateway, killed with SIGKILL while devices publish', () => {
  it('keeps every acknowledged message exactly once across the crash and the restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tg-crash-'));
    const devices = Array.from({ length: 8 }, (_, i) => testDevice(`crash-${i}`, systemClock));
    const importFile = path.join(dataDir, '..', `${path.basename(dataDir)}-devices.jsonl`);
    writeFileSync(importFile, devices.map((d) => JSON.stringify({ id: d.id, public_key: encodePublicKeyText(d.publicKey), kind: 'wearable' })).join('\n'));
    const imported = spawnSync(process.execPath, [CLI, 'devices', 'import', '--data', dataDir, importFile], { encoding: 'utf8' });
    expect(imported.status, imported.stderr).toBe(0);

    const first = await startGatewayProcess(dataDir);
    const publishers = devices.map((d) => new PublishingDevice(d));
    await Promise.all(publishers.map((p) => p.connect(first.port)));
    publishers.forEach((p) => p.run());
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    await Promise.all(publishers.map((p) => p.stop()));
    const ackedBeforeCrash = publishers.reduce((n, p) => n + p.acked.size, 0);
    const unackedBeforeCrash = publishers.reduce((n, p) => n + p.sent.size - p.acked.size, 0);
    expect(ackedBeforeCrash).toBeGreaterThan(0);

    const second = await startGatewayProcess(dataDir);
    await Promise.all(publishers.map((p) => p.connect(second.port)));
    publishers.forEach((p) => p.run());
    await new Promise((r) => setTimeout(r, 800));
    await Promise.all(publishers.map((p) => p.drain(30_000)));
    for (const p of publishers) await p.stop();
    // After the restart every message ever sent, acknowledged before the crash or resent after it, is acknowledged.
    for (const p of publishers) expect(p.acked.size, p.device.id).toBe(p.sent.size);
    const exited = new Promise<number | null>((r) => second.child.once('exit', (code) => r(code)));
    second.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    // Read the log back on the stopped directory.
    const store = openLogStore({ dataDir });
    try {
      const logged = new Map<string, Buffer[]>();
      for (let i = 0; i < store.log.size(); i += 1) {
        const entry = decodeLogEntry(store.log.readEntry(i));
        if (entry.contentType !== 'cose-sign1') continue;
        const key = `${entry.deviceId}/${decodeDeviceMessage(entry.original).payload.seq}`;
        logged.set(key, [...(logged.get(key) ?? []), Buffer.from(entry.original)]);
      }
      let acked = 0;
      for (const p of publishers) {
        for (const seq of p.acked) {
          const copies = logged.get(`${p.device.id}/${seq}`) ?? [];
          expect(copies, `${p.device.id}/${seq}`).toHaveLength(1);
          expect(copies[0]?.equals(p.sent.get(seq) ?? Buffer.alloc(0))).toBe(true);
          acked += 1;
        }
      }
      // Nothing is in the log twice, and nothing is there that a device did not send.
      for (const [key, copies] of logged) expect(copies, key).toHaveLength(1);
      expect(logged.size).toBeGreaterThanOrEqual(acked);
      // The final checkpoint on SIGTERM covers the whole log.
      expect(store.checkpoints.latest()?.treeSize).toBe(store.log.size());
      console.info(
        `crash test: ${ackedBeforeCrash} acked and ${unackedBeforeCrash} unacked before SIGKILL; ${acked} acked in all; log ${store.log.size()} entries; ` +
          `starts took ${Math.round(first.startedInMs)} ms and ${Math.round(second.startedInMs)} ms (spawn to listening line)`,
      );
    } finally {
      await store.close();
    }

    // End to end: the bundle of everything verifies, pinned to the gateway key.
    const bundle = path.join(dataDir, '..', `${path.basename(dataDir)}-bundle.json`);
    const exported = spawnSync(process.execPath, [CLI, 'export', '--data', dataDir, '--out', bundle], { encoding: 'utf8' });
    expect(exported.status, exported.stderr).toBe(0);
    const key = spawnSync(process.execPath, [CLI, 'keys', 'show', '--data', dataDir], { encoding: 'utf8' });
    const verified = spawnSync(process.execPath, [CLI, 'verify', bundle, '--gateway-key', key.stdout.trim().split('\n').at(-1) ?? ''], { encoding: 'utf8' });
    expect(verified.status, `${verified.stdout}${verified.stderr}`).toBe(0);
  });
});
