/**
 * The ingest benchmark's load generator, a child process (fork of this file): N devices, each with its own
 * TCP connection and connect token, publishing pre-signed readings at QoS 1 and timing each PUBACK. The
 * readings are real signed device messages (spec section 2), signed before the clock starts; the wire
 * packets are encoded before the clock starts too (mqtt-wire.ts), so while it runs the generator only
 * writes buffers and reads PUBACKs.
 *
 * Two modes: `max` keeps `window` readings in flight per device (the next one goes when a PUBACK comes
 * back), `paced` offers a fixed total rate spread evenly over the devices in 5 ms ticks, whatever the
 * PUBACKs do. A run ends when every reading is acknowledged, a connection fails, or the deadline passes;
 * unacknowledged readings are reported, never waited for forever.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { createConnectToken, createDeviceMessage, createEd25519Signer } from '@trialgate/firmware-protocol';
import { connectPacket, PACKET_CONNACK, PACKET_PUBACK, PACKET_PUBLISH, PacketReader, publishQos1Packet, pubackPacket } from './mqtt-wire.js';

export interface GeneratorDevice {
  readonly id: string;
  readonly seedHex: string;
}

export type GeneratorMode = { readonly kind: 'max'; readonly window: number } | { readonly kind: 'paced'; readonly perSecond: number };

export interface GeneratorSetup {
  readonly type: 'setup';
  readonly host: string;
  readonly port: number;
  readonly devices: readonly GeneratorDevice[];
  /** The seq of each device's first reading (the gateway refuses nothing, but a reused seq would be a duplicate). */
  readonly firstSeqs: readonly number[];
  readonly messagesPerDevice: number;
  readonly mode: GeneratorMode;
  /** Prepended to client ids and topics on a shared broker (e.g. `bench-123/`); empty for a private one. */
  readonly namespace: string;
  /** The run gives up (and reports what it has) after this long. */
  readonly deadlineMs: number;
}

export interface GeneratorResult {
  readonly type: 'done';
  readonly offered: number;
  readonly acked: number;
  /** Readings without a PUBACK at the end (a connection failed or the deadline passed). */
  readonly unacked: number;
  readonly connectionErrors: number;
  /** First publish to last PUBACK. */
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly messageBytes: { readonly min: number; readonly max: number };
  /** The generator's own CPU time while publishing (user + system), ms. */
  readonly cpuMs: number;
}

interface Connection {
  readonly socket: net.Socket;
  readonly packets: readonly Buffer[];
  /** packet id -> message index, for the readings in flight. */
  readonly inFlight: Map<number, number>;
  readonly sentAt: Float64Array;
}

const CONNECT_CONCURRENCY = 50;

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function connectDevice(setup: GeneratorSetup, clientId: string, token: Uint8Array): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: setup.host, port: setup.port, noDelay: true });
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`${clientId}: no CONNACK within 30 s`)), 30_000);
    const reader = new PacketReader((type, _flags, body) => {
      if (type !== PACKET_CONNACK) return;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.removeListener('error', fail);
      if (body[1] !== 0) fail(new Error(`${clientId}: CONNACK return code ${body[1] ?? -1}`));
      else resolve(socket);
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.once('error', fail);
    socket.once('connect', () => socket.write(connectPacket(clientId, clientId, token)));
  });
}

/** Prepares and connects, calls `ready` (which resolves when the clock should start), then runs. */
export async function runLoadGenerator(setup: GeneratorSetup, ready: () => Promise<void>): Promise<GeneratorResult> {
  const now = Date.now();
  const prepared = setup.devices.map((device, d) => {
    const signer = createEd25519Signer(Uint8Array.from(Buffer.from(device.seedHex, 'hex')));
    const clientId = `${setup.namespace}${device.id}`;
    const topic = `${setup.namespace}tg/v1/dev/${device.id}/up`;
    const first = setup.firstSeqs[d] ?? 1;
    const packets: Buffer[] = [];
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < setup.messagesPerDevice; i += 1) {
      const seq = first + i;
      const message = createDeviceMessage({
        payload: { v: 1, dev: device.id, seq, t: now + i, type: 'heart_rate', data: { bpm: 60 + (seq % 40), rr_ms: [812, 790, 805, 799] } },
        secretKey: signer,
      });
      min = Math.min(min, message.length);
      max = Math.max(max, message.length);
      packets.push(publishQos1Packet(topic, (i % 65_535) + 1, message));
    }
    const token = createConnectToken({ deviceId: device.id, secretKey: signer, issuedAtMs: now });
    return { clientId, token, packets, min, max };
  });

  const sockets: net.Socket[] = [];
  for (let start = 0; start < prepared.length; start += CONNECT_CONCURRENCY) {
    const chunk = prepared.slice(start, start + CONNECT_CONCURRENCY);
    sockets.push(...(await Promise.all(chunk.map((p) => connectDevice(setup, p.clientId, p.token)))));
  }

  await ready();
  const total = prepared.length * setup.messagesPerDevice;
  const latencies = new Float64Array(total);
  let acked = 0;
  let connectionErrors = 0;
  let lastAck = 0;
  let started = 0;
  const connections: Connection[] = prepared.map((p, d) => ({
    socket: sockets[d] as net.Socket,
    packets: p.packets,
    inFlight: new Map(),
    sentAt: new Float64Array(p.packets.length),
  }));

  const cpuBefore = process.cpuUsage();
  await new Promise<void>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      resolve();
    };
    const deadline = setTimeout(finish, setup.deadlineMs);
    const send = (c: Connection, index: number): void => {
      const packet = c.packets[index];
      if (packet === undefined) return;
      c.sentAt[index] = performance.now();
      c.inFlight.set((index % 65_535) + 1, index);
      c.socket.write(packet);
    };
    const mode = setup.mode;
    for (const c of connections) {
      const reader = new PacketReader((type, flags, body) => {
        if (type === PACKET_PUBACK) {
          const id = ((body[0] ?? 0) << 8) | (body[1] ?? 0);
          const index = c.inFlight.get(id);
          if (index === undefined) return;
          c.inFlight.delete(id);
          const at = performance.now();
          latencies[acked++] = at - (c.sentAt[index] ?? at);
          lastAck = at;
          if (mode.kind === 'max') send(c, index + mode.window);
          if (acked === total) finish();
        } else if (type === PACKET_PUBLISH && (flags & 0x06) !== 0) {
          // A downlink notice at QoS 1 (none expected here): acknowledge it as a device would.
          const topicLength = ((body[0] ?? 0) << 8) | (body[1] ?? 0);
          c.socket.write(pubackPacket(((body[2 + topicLength] ?? 0) << 8) | (body[3 + topicLength] ?? 0)));
        }
      });
      c.socket.on('data', (chunk: Buffer) => {
        // One write syscall for every packet sent in reply to this chunk's PUBACKs.
        c.socket.cork();
        reader.push(chunk);
        c.socket.uncork();
      });
      const broken = (): void => {
        connectionErrors += 1;
        finish();
      };
      c.socket.on('error', broken);
      c.socket.on('close', () => {
        if (!finished) broken();
      });
    }
    started = performance.now();
    if (mode.kind === 'max') {
      for (const c of connections) {
        c.socket.cork();
        for (let i = 0; i < Math.min(mode.window, c.packets.length); i += 1) send(c, i);
        c.socket.uncork();
      }
    } else {
      let sent = 0;
      const tick = (): void => {
        if (finished) return;
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * mode.perSecond));
        while (sent < due) {
          const c = connections[sent % connections.length];
          if (c !== undefined) send(c, Math.floor(sent / connections.length));
          sent += 1;
        }
        if (sent < total) setTimeout(tick, 5);
      };
      tick();
    }
  });
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.subarray(0, acked).sort();
  for (const socket of sockets) socket.destroy();
  return {
    type: 'done',
    offered: total,
    acked,
    unacked: total - acked,
    connectionErrors,
    elapsedMs: Math.max(1, lastAck - started),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? 0,
    messageBytes: { min: Math.min(...prepared.map((p) => p.min)), max: Math.max(...prepared.map((p) => p.max)) },
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** The parent's side of the conversation (ingest.ts): setup, then 'go' once this process said 'ready'. */
export const LOAD_GENERATOR_FLAG = '--ingest-load-generator';

if (process.send !== undefined && process.argv.includes(LOAD_GENERATOR_FLAG)) {
  const next = (): Promise<unknown> => new Promise((resolve) => process.once('message', resolve));
  const setup = (await next()) as GeneratorSetup;
  const result = await runLoadGenerator(setup, async () => {
    process.send?.({ type: 'ready' });
    await next();
  });
  process.send(result, () => process.exit(0));
}
