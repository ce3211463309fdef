/**
 * The security suite's gateway: the real gateway (`startGateway`, as `trialgate gateway` runs it) in this
 * process, on a temporary data directory, free ports on 127.0.0.1, two verify worker threads (built `dist/`),
 * every log line captured at `trace` level, and a clock the test can move (the gateway's clock port). Devices
 * with their own Ed25519 keys, enrolled through the gateway's admin operations, make connect tokens and signed
 * messages. Used by every `*.int.test.ts` in this folder (docs/SECURITY.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import {
  createConnectToken,
  encodeDevicePayload,
  generateEd25519KeyPair,
  signCoseSign1,
  type KnownDevicePayload,
} from '@trialgate/firmware-protocol';
import {
  createLogger,
  encodePublicKeyText,
  resolveGatewayConfig,
  startGateway,
  type Clock,
  type DeviceTransport,
  type QuarantineRecord,
  type RunningGateway,
} from '@trialgate/gateway';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export const SECURITY_ORIGIN = 'test.example/site-security/gw-1';

/** The gateway clock: the system clock plus an offset the test moves (a device's view stays the real time). */
export class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

/** A pino JSON line the gateway wrote. */
export type LogLine = Readonly<Record<string, unknown>>;

export interface SecurityDevice {
  readonly id: string;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** A connect token (spec section 3) issued at `issuedAtMs` (default: now on the real clock). */
  token(issuedAtMs?: number): Buffer;
  /**
   * A signed device message (spec section 2); `payload` fields override a heart-rate reading's. The kid is
   * the device's id unless `kid` says otherwise (to make a message claiming another device).
   */
  message(seq: number, payload?: Partial<KnownDevicePayload>, options?: { readonly kid?: string }): Buffer;
}

export function securityDevice(id: string): SecurityDevice {
  const keys = generateEd25519KeyPair();
  // Two tokens issued in the same millisecond would be the same token: keep each iat distinct.
  let lastIat = 0;
  return {
    id,
    secretKey: keys.secretKey,
    publicKey: keys.publicKey,
    token: (issuedAtMs) => {
      let iat = issuedAtMs ?? Date.now();
      if (issuedAtMs === undefined && iat <= lastIat) iat = lastIat + 1;
      if (issuedAtMs === undefined) lastIat = iat;
      return Buffer.from(createConnectToken({ deviceId: id, secretKey: keys.secretKey, issuedAtMs: iat }));
    },
    message: (seq, payload = {}, options = {}) =>
      Buffer.from(
        signCoseSign1({
          kid: options.kid ?? id,
          payload: encodeDevicePayload({ v: 1, dev: id, seq, t: Date.now(), type: 'heart_rate', data: { bpm: 72 }, ...payload } as KnownDevicePayload),
          secretKey: keys.secretKey,
        }),
      ),
  };
}

export interface SecurityGateway {
  readonly gateway: RunningGateway;
  readonly dataDir: string;
  readonly clock: ShiftedClock;
  readonly mqttUrl: string;
  readonly httpUrl: string;
  /** Every log line written so far (JSON objects), and the raw text. */
  lines(): LogLine[];
  logText(): string;
  enroll(id: string, options?: { readonly kind?: string; readonly transports?: readonly DeviceTransport[] }): Promise<SecurityDevice>;
  /** Connects as the device (client id = username = its id, a fresh token) unless options say otherwise. */
  connect(device: SecurityDevice, options?: IClientOptions): Promise<MqttClient>;
  /** Every quarantine record (after `afterId`), read page by page. */
  quarantine(afterId?: number): QuarantineRecord[];
  /** Stops the gateway (idempotent); the data directory stays for a restart. */
  stop(): Promise<void>;
}

export interface StartSecurityGatewayOptions {
  /** Reuse a data directory (a restart); default a new temporary one, removed by `removeDataDir`. */
  readonly dataDir?: string;
  readonly clock?: ShiftedClock;
  /** More gateway settings, as flags (`serial`, `maxMessageBytes`, ...). */
  readonly flags?: Readonly<Record<string, string>>;
}

const started = new Set<SecurityGateway>();

export async function startSecurityGateway(options: StartSecurityGatewayOptions = {}): Promise<SecurityGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'tg-sec-'));
  const clock = options.clock ?? new ShiftedClock();
  const { config } = resolveGatewayConfig({
    flags: {
      data: dataDir,
      origin: SECURITY_ORIGIN,
      mqttHost: '127.0.0.1',
      mqttPort: '0',
      httpPort: '0',
      verifyWorkers: '2',
      checkpointInterval: '300ms',
      logLevel: 'trace',
      ...options.flags,
    },
    env: {},
    cwd: process.cwd(),
    cores: 2,
  });
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = createLogger({ level: 'trace', destination, base: { origin: SECURITY_ORIGIN } });
  const gateway = await startGateway(config, { clock, logger });
  const clients: MqttClient[] = [];
  const mqttUrl = `mqtt://127.0.0.1:${gateway.addresses.mqtt.tcp.port}`;
  const handle: SecurityGateway = {
    gateway,
    dataDir,
    clock,
    mqttUrl,
    httpUrl: gateway.addresses.http,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as LogLine),
    logText: () => chunks.join(''),
    enroll: async (id, enrollOptions = {}) => {
      const device = securityDevice(id);
      await gateway.admin.enrollDevice(
        {
          id,
          public_key: encodePublicKeyText(device.publicKey),
          kind: enrollOptions.kind ?? 'wearable',
          ...(enrollOptions.transports === undefined ? {} : { transports: enrollOptions.transports }),
        },
        'security-test',
      );
      return device;
    },
    connect: async (device, clientOptions = {}) => {
      const client = await mqtt.connectAsync(mqttUrl, {
        clientId: device.id,
        username: device.id,
        password: device.token(),
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    quarantine: (afterId = 0) => {
      // The store answers at most 10,000 records a call: a long fuzz run writes more.
      const all: QuarantineRecord[] = [];
      for (let after = afterId; ; ) {
        const page = gateway.store.log.listQuarantine({ afterId: after, limit: 10_000 });
        all.push(...page);
        if (page.length < 10_000) return all;
        after = page.at(-1)?.id ?? after;
      }
    },
    stop: async () => {
      started.delete(handle);
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
      await gateway.stop();
    },
  };
  started.add(handle);
  return handle;
}

/** Stops every gateway still running (afterEach). */
export async function stopAllSecurityGateways(): Promise<void> {
  await Promise.all([...started].map((g) => g.stop()));
}

export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}

/** Connects and reports the CONNACK: 0 when accepted (the client is ended again), else its return code. */
export async function connackCode(url: string, options: IClientOptions): Promise<number | string> {
  try {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 10_000, ...options });
    await client.endAsync(true);
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? String(error);
  }
}

/** Resolves once the broker closed the client's connection (rejects after `timeoutMs`). */
export async function closedByGateway(client: MqttClient, timeoutMs = 10_000): Promise<void> {
  if (!client.connected) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway did not close the connection')), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** `promise`, or a rejection naming `what` after `timeoutMs` (so a hang fails with a reason). */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls until `check` holds (rejects after `timeoutMs`). */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A QoS 1 publish: 'acked' on PUBACK, 'closed' if the gateway closed the connection instead. */
export function publishOutcome(client: MqttClient, topic: string, payload: Buffer, timeoutMs = 15_000): Promise<'acked' | 'closed'> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: 'acked' | 'closed'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('close', onClose);
      resolve(outcome);
    };
    const onClose = (): void => finish('closed');
    const timer = setTimeout(() => {
      if (!settled) {
        settled = true;
        client.off('close', onClose);
        reject(new Error(`no PUBACK and no close within ${timeoutMs} ms`));
      }
    }, timeoutMs);
    client.once('close', onClose);
    client.publish(topic, payload, { qos: 1 }, (error) => {
      if (error === undefined || error === null) finish('acked');
      else finish('closed');
    });
  });
}
