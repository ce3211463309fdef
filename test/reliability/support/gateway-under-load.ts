/**
 * The set-up the crash and torn-write scenarios share: an enrolled fleet, the spawned gateway on a fixed free
 * port (so devices reconnect to the same address after each restart), and the simulator publishing at QoS 1
 * into a ledger of what each device saw acknowledged.
 */
import path from 'node:path';
import { startSimulation, type Fleet, type Simulation } from '@trialgate/device-sim';
import { loadGatewayKey } from '@trialgate/gateway';
import { AckLedgerStore } from './ack-ledger-store.js';
import { freePort } from './free-port.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { RUN_SEED } from './reliability-run.js';
import { enrolledFleet, quietSimLogger } from './site-fleet.js';

export interface GatewayUnderLoad {
  readonly dataDir: string;
  readonly fleet: Fleet;
  /** Starts the gateway again on the same data directory and port (after a kill). */
  readonly start: () => Promise<GatewayProcess>;
  /** The first gateway process. */
  readonly gateway: GatewayProcess;
  readonly gatewayKey: string;
  readonly store: AckLedgerStore;
  readonly simulation: Simulation;
}

export async function startGatewayUnderLoad(options: {
  /** A fresh directory; the gateway's data goes into `gw` inside it. */
  readonly dir: string;
  readonly origin: string;
  readonly idPrefix: string;
  readonly devices: number;
  /** Readings/s of the whole fleet. */
  readonly rate: number;
}): Promise<GatewayUnderLoad> {
  const dataDir = path.join(options.dir, 'gw');
  const fleet = await enrolledFleet(dataDir, { size: options.devices, seed: RUN_SEED, idPrefix: options.idPrefix });
  const port = await freePort();
  const start = (): Promise<GatewayProcess> =>
    startGatewayProcess({ dataDir, origin: options.origin, mqttPort: port, logLevel: 'warn', args: ['--checkpoint-interval', '300ms'] });
  const gateway = await start();
  const gatewayKey = loadGatewayKey(dataDir).verifierKey;
  const store = new AckLedgerStore();
  const simulation = await startSimulation({
    brokerUrl: gateway.mqttUrl,
    fleet,
    store,
    rate: options.rate,
    durationMs: 30 * 60_000,
    keepRecord: false,
    backoff: { initialMs: 50, maxMs: 400 },
    drainTimeoutMs: 60_000,
    logger: quietSimLogger(),
  });
  return { dataDir, fleet, start, gateway, gatewayKey, store, simulation };
}
