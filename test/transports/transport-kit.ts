/**
 * Shared set-up of the transport tests: the gateway's ingestion over an in-memory log (registry, pipeline with
 * inline checks, a gateway key that signs downlink messages), devices with keys, and small waiting helpers.
 */
import { createEd25519Signer, generateEd25519KeyPair } from '@trialgate/firmware-protocol';
import {
  createGatewayMetrics,
  createIngestMetrics,
  createInlineMessageChecker,
  DeviceRegistry,
  IngestPipeline,
  MemoryGatewayLog,
  RegistryAdmin,
  silentLogger,
  systemClock,
  type DeviceTransport,
  type DownlinkSigner,
  type TimerPort,
} from '@trialgate/gateway';
import { decodeLogEntry, type LogEntry } from '@trialgate/proof-formats';
import { parseGatewayKey, type GatewayKey } from '@trialgate/device-sim';

export const ORIGIN = 'test.example/site-1/gw-transports';

/** Real timers that never keep the process alive. */
export const testTimers: TimerPort = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface TransportKit {
  readonly log: MemoryGatewayLog;
  readonly registry: DeviceRegistry;
  readonly admin: RegistryAdmin;
  readonly pipeline: IngestPipeline;
  readonly signer: DownlinkSigner;
  /** The gateway key as a device is provisioned with it. */
  readonly gatewayKey: GatewayKey;
  enroll(id: string, kind: string, transports: readonly DeviceTransport[], ble?: { address?: string; name?: string }): Promise<{ id: string; secretKey: Uint8Array; publicKey: Uint8Array }>;
  /** A standard BLE health device, which cannot sign: enrolled without a key, for BLE only (issue 6). */
  enrollWithoutKey(id: string, kind: string, ble: { address?: string; name?: string }): Promise<void>;
  entries(): (LogEntry & { index: number })[];
}

export function transportKit(): TransportKit {
  const log = new MemoryGatewayLog();
  const registry = new DeviceRegistry(log, []);
  const admin = new RegistryAdmin({ log, registry, clock: systemClock });
  const pipeline = new IngestPipeline({
    log,
    registry,
    checker: createInlineMessageChecker(),
    metrics: createIngestMetrics(createGatewayMetrics({ defaultMetrics: false })),
    logger: silentLogger(),
    maxMessageBytes: 16 * 1024,
    clockSkewToleranceMs: 300_000,
  });
  const keys = generateEd25519KeyPair();
  const gatewaySigner = createEd25519Signer(keys.secretKey);
  return {
    log,
    registry,
    admin,
    pipeline,
    signer: { origin: ORIGIN, publicKey: keys.publicKey, sign: (m) => gatewaySigner.sign(m) },
    gatewayKey: parseGatewayKey(Buffer.from(keys.publicKey).toString('base64')),
    enroll: async (id, kind, transports, ble) => {
      const device = generateEd25519KeyPair();
      await admin.enroll({ id, kind, publicKey: device.publicKey, transports });
      if (ble !== undefined) await admin.setBle(id, ble.address ?? null, ble.name ?? null);
      return { id, secretKey: device.secretKey, publicKey: device.publicKey };
    },
    enrollWithoutKey: async (id, kind, ble) => {
      await admin.enroll({ id, kind, transports: ['ble'] });
      await admin.setBle(id, ble.address ?? null, ble.name ?? null);
    },
    entries: () => Array.from({ length: log.size() }, (_, index) => ({ ...decodeLogEntry(log.readEntry(index)), index })),
  };
}

/** Waits until `condition` holds (polling), or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
