/**
 * Test helpers shared by ingestion, broker and gateway tests: devices with keys, enrolled in a registry
 * over a memory log, and their signed messages. Not exported from the package.
 */
import { createEd25519Signer, encodeDevicePayload, generateEd25519KeyPair, signCoseSign1, type Ed25519Signer } from '@trialgate/firmware-protocol';
import type { Clock } from '../clock.js';
import { createGatewayMetrics, type GatewayMetrics } from '../observability/gateway-metrics.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { DeviceRegistry } from '../registry/device-registry.js';
import type { DeviceTransport } from '../registry/device-record.js';
import { RegistryAdmin } from '../registry/registry-admin.js';
import { MemoryGatewayLog } from '../storage/memory-gateway-log.js';
import { createInlineMessageChecker } from './inline-message-checker.js';
import { IngestPipeline } from './ingest-pipeline.js';
import { createIngestMetrics } from './ingest-metrics.js';
import type { MessageChecker } from './message-checker.js';

export interface TestDevice {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
  readonly signer: Ed25519Signer;
  /** A heart-rate reading with this seq, signed. */
  message(seq: number, overrides?: { readonly t?: number; readonly bpm?: number; readonly dev?: string }): Uint8Array;
}

export function testDevice(id: string, clock: Clock): TestDevice {
  const keys = generateEd25519KeyPair();
  const signer = createEd25519Signer(keys.secretKey);
  return {
    id,
    publicKey: keys.publicKey,
    secretKey: keys.secretKey,
    signer,
    // Signed with kid = this device whatever `dev` says, so tests can make a `dev` that names another device.
    message: (seq, overrides = {}) =>
      signCoseSign1({
        kid: id,
        payload: encodeDevicePayload({ v: 1, dev: overrides.dev ?? id, seq, t: overrides.t ?? clock.now(), type: 'heart_rate', data: { bpm: overrides.bpm ?? 72 } }),
        secretKey: signer,
      }),
  };
}

export class ManualClock implements Clock {
  constructor(private ms = 1_750_000_000_000) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface IngestKit {
  readonly clock: ManualClock;
  readonly log: MemoryGatewayLog;
  readonly registry: DeviceRegistry;
  readonly admin: RegistryAdmin;
  readonly metrics: GatewayMetrics;
  readonly pipeline: IngestPipeline;
  enroll(id: string, transports?: readonly DeviceTransport[]): Promise<TestDevice>;
}

export function ingestKit(options: { readonly checker?: MessageChecker; readonly maxMessageBytes?: number; readonly logger?: Logger } = {}): IngestKit {
  const clock = new ManualClock();
  const log = new MemoryGatewayLog();
  const registry = new DeviceRegistry(log, []);
  const admin = new RegistryAdmin({ log, registry, clock });
  const metrics = createGatewayMetrics({ defaultMetrics: false });
  const pipeline = new IngestPipeline({
    log,
    registry,
    checker: options.checker ?? createInlineMessageChecker(),
    metrics: createIngestMetrics(metrics),
    logger: options.logger ?? silentLogger(),
    maxMessageBytes: options.maxMessageBytes ?? 4096,
    clockSkewToleranceMs: 300_000,
  });
  return {
    clock,
    log,
    registry,
    admin,
    metrics,
    pipeline,
    enroll: async (id, transports) => {
      const device = testDevice(id, clock);
      await admin.enroll({ id, kind: 'wearable', publicKey: device.publicKey, ...(transports === undefined ? {} : { transports }) });
      return device;
    },
  };
}
