/**
 * Test helpers: a real broker on free ports over a memory log, devices with keys and connect tokens, and
 * mqtt.js clients. Not exported from the package.
 */
import { createConnectToken, createEd25519Signer, generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { DownlinkSigner } from '../downlink/downlink-signer.js';
import { ingestKit, type IngestKit, type TestDevice } from '../ingest/ingest-test-kit.js';
import type { MessageChecker } from '../ingest/message-checker.js';
import { silentLogger } from '../observability/logger.js';
import { ConnectTokenReplayGuard } from './connect-token-replay-guard.js';
import { startMqttBroker, type MqttBroker } from './mqtt-broker.js';
import type { MqttListenerOptions } from './mqtt-listeners.js';
import { createMqttMetrics } from './mqtt-metrics.js';

export const TEST_ORIGIN = 'test.example/site-1/gw-1';

export interface BrokerKit extends IngestKit {
  readonly broker: MqttBroker;
  readonly signer: DownlinkSigner;
  readonly url: string;
  readonly replayGuard: ConnectTokenReplayGuard;
  /** A connected mqtt.js client for the device (fresh token), subscribed to nothing. */
  connect(device: TestDevice, options?: IClientOptions): Promise<MqttClient>;
  token(device: TestDevice, issuedAtMs?: number): Buffer;
  close(): Promise<void>;
}

export async function brokerKit(
  options: { readonly checker?: MessageChecker; readonly listeners?: Partial<MqttListenerOptions>; readonly replayGuard?: ConnectTokenReplayGuard } = {},
): Promise<BrokerKit> {
  const kit = ingestKit(options.checker === undefined ? {} : { checker: options.checker });
  const keys = generateEd25519KeyPair();
  const gatewayKey = createEd25519Signer(keys.secretKey);
  const signer: DownlinkSigner = { origin: TEST_ORIGIN, publicKey: keys.publicKey, sign: (m) => gatewayKey.sign(m) };
  const replayGuard = options.replayGuard ?? ConnectTokenReplayGuard.inMemory();
  const { createInlineMessageChecker } = await import('../ingest/inline-message-checker.js');
  const broker = await startMqttBroker(
    {
      pipeline: kit.pipeline,
      registry: kit.registry,
      checker: options.checker ?? createInlineMessageChecker(),
      replayGuard,
      log: kit.log,
      signer,
      clock: kit.clock,
      logger: silentLogger(),
      metrics: createMqttMetrics(kit.metrics.registry),
      maxMessageBytes: 4096,
    },
    { tcp: { host: '127.0.0.1', port: 0 }, tls: null, ws: null, ...options.listeners },
  );
  const url = `mqtt://127.0.0.1:${broker.addresses.tcp.port}`;
  const clients: MqttClient[] = [];
  // Each token gets its own iat (the manual clock moves 1 ms): two tokens with one iat are the same token.
  const token = (device: TestDevice, issuedAtMs?: number): Buffer => {
    kit.clock.advance(1);
    return Buffer.from(createConnectToken({ deviceId: device.id, secretKey: device.signer, issuedAtMs: issuedAtMs ?? kit.clock.now() }));
  };
  return {
    ...kit,
    broker,
    signer,
    url,
    replayGuard,
    token,
    connect: async (device, clientOptions = {}) => {
      const client = await mqtt.connectAsync(url, {
        clientId: device.id,
        username: device.id,
        password: token(device),
        protocolVersion: 4,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await broker.close();
      await kit.pipeline.close();
    },
  };
}

/** Resolves when the client's connection closes (the broker closed it). */
export async function closed(client: MqttClient): Promise<void> {
  if (!client.connected) return;
  await new Promise<void>((resolve) => client.once('close', () => resolve()));
}

/** Resolves on the client's next message. */
export function nextMessage(client: MqttClient): Promise<Buffer> {
  return new Promise((resolve) => client.once('message', (_topic: string, payload: Buffer) => resolve(payload)));
}
