/**
 * Test helpers for dosing: the ingestion kit (memory log, registry, pipeline), the dosing projection over an
 * in-memory SQLite database kept in step with the log, a fake downlink route, a gateway signer and
 * dispenser messages (dose events, downlink acks). Not exported from the package.
 */
import Database from 'better-sqlite3';
import { createEd25519Signer, encodeDevicePayload, generateEd25519KeyPair, signCoseSign1 } from '@trialgate/firmware-protocol';
import type { TimerPort } from '../checkpoints/timer-port.js';
import type { DownlinkSigner } from '../downlink/downlink-signer.js';
import { ingestKit, type IngestKit, type TestDevice } from '../ingest/ingest-test-kit.js';
import type { DeviceTransport } from '../registry/device-record.js';
import { DosingAdmin } from './dosing-admin.js';
import { dosingProjection } from './dosing-projection.js';
import { DosingStore } from './dosing-store.js';
import { DownlinkRouter, type DownlinkRoute } from './downlink-router.js';

export const TEST_ORIGIN = 'test.example/gw-dosing';

export function testDownlinkSigner(): DownlinkSigner {
  const keys = generateEd25519KeyPair();
  const signer = createEd25519Signer(keys.secretKey);
  return { origin: TEST_ORIGIN, publicKey: keys.publicKey, sign: (m) => signer.sign(m) };
}

export class FakeRoute implements DownlinkRoute {
  readonly sent: { deviceId: string; bytes: Uint8Array }[] = [];
  reachable = new Set<string>();
  failing = false;
  constructor(readonly transport: DeviceTransport) {}
  canReach(deviceId: string): boolean {
    return this.reachable.has(deviceId);
  }
  send(deviceId: string, bytes: Uint8Array): Promise<void> {
    if (this.failing) return Promise.reject(new Error('line down'));
    this.sent.push({ deviceId, bytes });
    return Promise.resolve();
  }
}

/** Timers that never fire on their own: tests call `tick()`. */
export const idleTimers: TimerPort = { setTimeout: () => null, clearTimeout: () => undefined };

export interface DosingKit extends IngestKit {
  readonly db: Database.Database;
  readonly store: DosingStore;
  readonly dosingAdmin: DosingAdmin;
  readonly router: DownlinkRouter;
  readonly signer: DownlinkSigner;
}

export function dosingKit(): DosingKit {
  const kit = ingestKit();
  const db = new Database(':memory:');
  dosingProjection.migrate(db);
  kit.log.onCommitted((entries) => db.transaction(() => dosingProjection.apply(db, entries))());
  const store = new DosingStore(db);
  return {
    ...kit,
    db,
    store,
    dosingAdmin: new DosingAdmin({ log: kit.log, registry: kit.registry, store, clock: kit.clock }),
    router: new DownlinkRouter(),
    signer: testDownlinkSigner(),
  };
}

/** A signed `dose_event` of a test device. */
export function doseEventMessage(device: TestDevice, seq: number, t: number, data: Record<string, string | number>): Uint8Array {
  return signCoseSign1({ kid: device.id, payload: encodeDevicePayload({ v: 1, dev: device.id, seq, t, type: 'dose_event', data: data as { event: string } }), secretKey: device.signer });
}

/** A signed `downlink_ack` of a test device. */
export function downlinkAckMessage(device: TestDevice, seq: number, t: number, ack: { ref: number; of: string; status?: string }): Uint8Array {
  return signCoseSign1({
    kid: device.id,
    payload: encodeDevicePayload({ v: 1, dev: device.id, seq, t, type: 'downlink_ack', data: { ref: ack.ref, of: ack.of, status: ack.status ?? 'accepted' } }),
    secretKey: device.signer,
  });
}
