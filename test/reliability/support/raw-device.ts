/**
 * Devices that misbehave on purpose, for the overload scenarios, built from a simulated fleet's identities:
 * signed readings and connect tokens (firmware-protocol), a raw MQTT 3.1.1 connection over a plain socket
 * (mqtt-packet) whose reading the test controls (never read, or read slowly), and a device that publishes far
 * faster than it is allowed to (mqtt.js, fresh connect token on every reconnect).
 */
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { createConnectToken, createDeviceMessage, createEd25519Signer, type Ed25519Signer } from '@trialgate/firmware-protocol';
import type { DeviceIdentity } from '@trialgate/device-sim';
import mqtt from 'mqtt';
import { generate, parser, type Packet } from 'mqtt-packet';
import type { LedgerMessage } from './ack-ledger-store.js';

const signers = new WeakMap<DeviceIdentity, Ed25519Signer>();
function signerOf(identity: DeviceIdentity): Ed25519Signer {
  let signer = signers.get(identity);
  if (signer === undefined) {
    signer = createEd25519Signer(identity.secretKey);
    signers.set(identity, signer);
  }
  return signer;
}

/** A valid heart-rate reading of `identity` with `seq`, measured at `t`. */
export function signedReading(identity: DeviceIdentity, seq: number, t: number = Date.now()): Uint8Array {
  return createDeviceMessage({ payload: { v: 1, dev: identity.id, seq, t, type: 'heart_rate', data: { bpm: 60 + (seq % 40) } }, secretKey: signerOf(identity) });
}

export function connectToken(identity: DeviceIdentity, issuedAtMs: number = Date.now()): Buffer {
  return Buffer.from(createConnectToken({ deviceId: identity.id, secretKey: signerOf(identity), issuedAtMs }));
}

export function ledgerMessage(device: string, seq: number, bytes: Uint8Array): LedgerMessage {
  return { device, seq, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** An MQTT connection over a plain socket: packets out as written, packets in only as fast as the test reads. */
export class RawMqttConnection {
  readonly received: Packet[] = [];
  closedAt: number | null = null;
  readonly #socket: Socket;
  readonly #parser = parser({ protocolVersion: 4 });

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.#parser.on('packet', (packet: Packet) => this.received.push(packet));
    socket.on('close', () => (this.closedAt ??= performance.now()));
    socket.on('error', () => undefined);
  }

  /**
   * Connects as `identity` (with `token`, default a fresh one) and subscribes to its downlink; reads normally
   * until told otherwise. Throws `CONNACK refused` when the gateway refuses the connection.
   */
  static async open(port: number, identity: DeviceIdentity, token: Buffer = connectToken(identity)): Promise<RawMqttConnection> {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const connection = new RawMqttConnection(socket);
    socket.on('data', (chunk: Buffer) => connection.#parser.parse(chunk));
    connection.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: identity.id, keepalive: 60, username: identity.id, password: token });
    await connection.#until((p) => p.cmd === 'connack', 10_000);
    const connack = connection.received.find((p) => p.cmd === 'connack');
    if (connack === undefined || (connack as { returnCode?: number }).returnCode !== 0) throw new Error(`CONNACK refused: ${JSON.stringify(connack)}`);
    connection.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `tg/v1/dev/${identity.id}/down`, qos: 1 }] });
    await connection.#until((p) => p.cmd === 'suback', 10_000);
    return connection;
  }

  send(packet: Packet): boolean {
    return this.#socket.write(generate(packet));
  }

  publish(topic: string, payload: Uint8Array, messageId: number): boolean {
    return this.send({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false, messageId });
  }

  /** Stops reading: the kernel buffers fill, then the gateway's writes wait. */
  stopReading(): void {
    this.#socket.removeAllListeners('data');
    this.#socket.pause();
  }

  /** Reads at most `bytesPerTick` every `everyMs` (paused mode), until `stop()`. */
  readSlowly(bytesPerTick: number, everyMs: number): { stop(): void } {
    this.#socket.removeAllListeners('data');
    this.#socket.pause();
    const timer = setInterval(() => {
      const chunk = this.#socket.read(bytesPerTick) as Buffer | null ?? (this.#socket.read() as Buffer | null);
      if (chunk !== null) this.#parser.parse(chunk);
    }, everyMs);
    return { stop: () => clearInterval(timer) };
  }

  get closed(): boolean {
    return this.closedAt !== null;
  }

  /** Waits until `count` PUBACKs arrived in all (throws after `timeoutMs` or when the connection closes). */
  async pubacks(count: number, timeoutMs: number): Promise<void> {
    await this.#until(() => this.count('puback') >= count, timeoutMs);
  }

  count(cmd: Packet['cmd']): number {
    return this.received.filter((p) => p.cmd === cmd).length;
  }

  destroy(): void {
    this.#socket.destroy();
  }

  async #until(predicate: (packet: Packet) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.received.some(predicate)) {
      if (this.closed) throw new Error('connection closed');
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/**
 * A device publishing `ratePerSecond` valid readings for `durationMs` whatever its limit, at QoS 1 with no
 * window; reconnects (fresh token) when the gateway closes the connection. Every PUBACK is recorded.
 */
export async function floodAsDevice(options: {
  readonly brokerUrl: string;
  readonly identity: DeviceIdentity;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly firstSeq: number;
}): Promise<{ readonly sent: number; readonly acknowledged: LedgerMessage[]; readonly connections: number; readonly closes: number }> {
  const { identity } = options;
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  // Signed before the clock starts, so the flood rate is not bounded by signing.
  const messages = Array.from({ length: total }, (_, i) => signedReading(identity, options.firstSeq + i));
  const acknowledged: LedgerMessage[] = [];
  let connections = 0;
  let closes = 0;
  const client = mqtt.connect(options.brokerUrl, {
    clientId: identity.id,
    username: identity.id,
    password: connectToken(identity),
    clean: true,
    keepalive: 60,
    reconnectPeriod: 300,
    connectTimeout: 5_000,
  });
  client.on('connect', () => (connections += 1));
  client.on('close', () => {
    closes += 1;
    // A connect token is accepted once: the next attempt needs a fresh one.
    client.options.password = connectToken(identity);
  });
  client.on('error', () => undefined);
  let next = 0;
  const perTick = Math.max(1, Math.round(options.ratePerSecond / 100));
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let i = 0; i < perTick && next < total; i += 1, next += 1) {
        const seq = options.firstSeq + next;
        const bytes = messages[next] ?? new Uint8Array();
        if (!client.connected) continue;
        client.publish(`tg/v1/dev/${identity.id}/up`, Buffer.from(bytes), { qos: 1 }, (error) => {
          if (error === undefined || error === null) acknowledged.push(ledgerMessage(identity.id, seq, bytes));
        });
      }
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await client.endAsync(true).catch(() => undefined);
  return { sent: total, acknowledged, connections, closes };
}
