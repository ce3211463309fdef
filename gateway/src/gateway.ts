/**
 * The composition root of the `trialgate gateway` process: opens the data directory (recovering it), loads
 * or creates the gateway key, and wires the registry, the signature-verify workers, the ingestion pipeline,
 * the MQTT broker, the checkpointer, the anchoring hand-off (outbox to the BullMQ queue, results back), the
 * HTTP API (sponsor routes, and the admin routes behind an admin token) and the local admin socket. Everything that touches the outside world is
 * passed in or built from the config here, and nowhere else.
 *
 * Start: in order, each step undone if a later one fails. Stop (SIGTERM/SIGINT in the CLI):
 *   1. stop accepting: the MQTT listeners close (connected devices keep their connections);
 *   2. finish in-flight messages: the pipeline waits until every message it took has its durable decision
 *      and its PUBACK has been written; anything arriving now is refused unacknowledged (devices resend);
 *   3. disconnect devices, stop the admin socket;
 *   4. sign a final checkpoint of everything logged and offer it to the anchoring outbox;
 *   5. stop the HTTP API and the anchoring hand-off (the outbox keeps whatever Redis did not take);
 *   6. close the verify workers, the replay guard and the log (which drains and syncs its files).
 */
import path from 'node:path';
import { availableParallelism } from 'node:os';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { DEFAULT_GATEWAY_LIMITS, type GatewayConfig } from './config/gateway-config.js';
import { Checkpointer } from './checkpoints/checkpointer.js';
import type { DownlinkSigner } from './downlink/downlink-signer.js';
import { createInlineMessageChecker } from './ingest/inline-message-checker.js';
import { IngestPipeline } from './ingest/ingest-pipeline.js';
import { createIngestMetrics } from './ingest/ingest-metrics.js';
import type { MessageChecker } from './ingest/message-checker.js';
import { WorkerCheckPool } from './ingest/worker-check-pool.js';
import { loadOrCreateGatewayKey } from './keys/gateway-key.js';
import { ConnectTokenReplayGuard } from './mqtt/connect-token-replay-guard.js';
import { startMqttBroker, type MqttBroker } from './mqtt/mqtt-broker.js';
import type { MqttListenerAddresses } from './mqtt/mqtt-listeners.js';
import { createMqttMetrics } from './mqtt/mqtt-metrics.js';
import { createGatewayMetrics, type GatewayMetrics } from './observability/gateway-metrics.js';
import { StorageHealth, watchLogWrites } from './observability/storage-health.js';
import { offsetFileClock, TEST_CLOCK_OFFSET_FILE_ENV } from './offset-file-clock.js';
import { componentLogger, createLogger, type Logger } from './observability/logger.js';
import { DeviceRegistry } from './registry/device-registry.js';
import { RegistryAdmin } from './registry/registry-admin.js';
import { registryProjection } from './registry/registry-projection.js';
import { RegistryStore } from './registry/registry-store.js';
import type { LogProjection } from './storage/log-projection.js';
import { openLogStore, type LogStore } from './storage/log-store.js';
import { createLocalAdminOperations, type AdminOperations } from './api/admin-operations.js';
import { createAdminRoutes, type AdminRouteHandler } from './api/admin-routes.js';
import { startGatewayApi } from './api/gateway-api.js';
import type { HttpApi } from './api/http-api-server.js';
import { startAnchoringHandOff, type AnchoringHandOff } from './anchoring/anchoring-hand-off.js';
import { startAdminSocket, type AdminSocket } from './api/admin-socket.js';
import { dosingProjection } from './dosing/dosing-projection.js';
import { createDosingAdministration, startDeviceServices, type DeviceServices, type DeviceServicesOptions } from './dosing/device-services.js';

/** What an extension of the gateway (a transport such as serial or BLE, the dosing service) is given. */
export interface GatewayContext {
  readonly config: GatewayConfig;
  readonly store: LogStore;
  readonly registry: DeviceRegistry;
  readonly pipeline: IngestPipeline;
  readonly broker: MqttBroker;
  readonly downlinkSigner: DownlinkSigner;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
}

/**
 * Started after the broker, before the gateway reports that it listens; stopped first, before the broker
 * stops accepting (an extension stops taking messages, then the pipeline finishes whatever is in flight).
 */
export type GatewayExtension = (context: GatewayContext) => Promise<{ stop(): Promise<void> }>;

export interface StartGatewayDependencies {
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: pino JSON lines on stdout at `config.logLevel`. */
  readonly logger?: Logger;
  /** Default: a new registry with process metrics. */
  readonly metrics?: GatewayMetrics;
  /** More projections of the log (issue 6: dose schedules), run by the storage beside the registry's. */
  readonly projections?: readonly LogProjection[];
  /** Transports and services started with the gateway (issue 6: serial, BLE, dosing). */
  readonly extensions?: readonly GatewayExtension[];
  /** Issue 6: how serial lines and BLE are reached (tests: simulated), timers and randomness of dosing. */
  readonly deviceServices?: DeviceServicesOptions;
}

export interface GatewayAddresses {
  readonly mqtt: MqttListenerAddresses;
  /** The HTTP API, e.g. `http://127.0.0.1:8080`. */
  readonly http: string;
  /** The local admin socket the CLI uses, or null when the data directory path is too long for one. */
  readonly adminSocket: string | null;
}

export interface RunningGateway {
  readonly config: GatewayConfig;
  readonly origin: string;
  /** The verifier key sponsors pin (spec section 5). */
  readonly verifierKey: string;
  readonly addresses: GatewayAddresses;
  readonly store: LogStore;
  readonly registry: DeviceRegistry;
  readonly pipeline: IngestPipeline;
  readonly broker: MqttBroker;
  readonly checkpointer: Checkpointer;
  readonly anchoring: AnchoringHandOff;
  readonly api: HttpApi;
  readonly admin: AdminOperations;
  /** The admin routes, for mounting on the HTTP API behind an admin token. */
  readonly adminRoutes: AdminRouteHandler;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** The gateway key as the downlink signs with it (issue 6 signs schedules and reminders with it too). */
  readonly downlinkSigner: DownlinkSigner;
  /** Issue 6: serial lines, BLE central, downlink routes and the dosing service. */
  readonly devices: DeviceServices;
  /** Stops the gateway in order (see above); resolves once everything is closed. Idempotent. */
  stop(): Promise<void>;
}

/** The replay memory of accepted connect tokens, beside the log in the data directory. */
export const CONNECT_TOKENS_FILE = 'connect-tokens.sqlite';

export async function startGateway(config: GatewayConfig, deps: StartGatewayDependencies = {}): Promise<RunningGateway> {
  // Issue 7: reliability tests make a spawned gateway's clock jump through a file (offset-file-clock.ts).
  const testClockFile = deps.clock === undefined ? process.env[TEST_CLOCK_OFFSET_FILE_ENV] : undefined;
  const testClock = testClockFile === undefined || testClockFile === '' ? null : offsetFileClock(testClockFile);
  const clock = deps.clock ?? testClock ?? systemClock;
  const logger = deps.logger ?? createLogger({ level: config.logLevel, base: { origin: config.origin } });
  const metrics = deps.metrics ?? createGatewayMetrics();
  const log = componentLogger(logger, 'gateway');
  const undo: (() => Promise<void> | void)[] = [];
  if (testClock !== null) {
    undo.push(() => testClock.close());
    log.warn({ event: 'test_clock', file: testClockFile, offsetMs: testClock.offsetMs }, `the gateway clock is offset by ${TEST_CLOCK_OFFSET_FILE_ENV} (tests only)`);
  }
  const limits = config.limits ?? DEFAULT_GATEWAY_LIMITS;
  const unwind = async (): Promise<void> => {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (error) {
        log.error({ err: error }, 'error while stopping');
      }
    }
    undo.length = 0;
  };

  try {
    const store = openLogStore({
      dataDir: config.dataDir,
      origin: config.origin,
      projections: [registryProjection, dosingProjection, ...(deps.projections ?? [])],
      logger: componentLogger(logger, 'storage'),
      metrics,
      lockHolder: 'trialgate gateway',
    });
    undo.push(() => store.close());
    if (store.recovery.tornTailBytes > 0 || store.recovery.rederived > 0) {
      log.warn({ event: 'recovered', ...store.recovery }, 'recovered the log after an unclean stop');
    }

    const key = loadOrCreateGatewayKey({ dataDir: store.layout.root, origin: config.origin });
    if (key.created) log.info({ event: 'key_created', verifierKey: key.verifierKey }, 'created the gateway key');
    const downlinkSigner: DownlinkSigner = { origin: key.origin, publicKey: key.publicKey, sign: (message) => key.signer.sign(message) };

    const registryStore = new RegistryStore(store.db);
    const registry = new DeviceRegistry(store.log, registryStore.list());
    undo.push(() => registry.close());

    const workers = Math.min(config.verifyWorkers, Math.max(1, availableParallelism()) * 4);
    const checker: MessageChecker = workers > 0 ? await WorkerCheckPool.start({ workers }) : createInlineMessageChecker();
    undo.push(() => checker.close());

    // Issue 7: whether the log takes writes, said in a log line, a gauge and /healthz (a full disk).
    const storageHealth = new StorageHealth({ clock, logger: componentLogger(logger, 'storage'), registry: metrics.registry });
    const unwatchCommits = store.log.onCommitted(() => storageHealth.succeeded());
    undo.push(() => unwatchCommits());
    const watchedLog = watchLogWrites(store.log, storageHealth);

    const pipeline = new IngestPipeline({
      log: watchedLog,
      registry,
      checker,
      metrics: createIngestMetrics(metrics),
      logger: componentLogger(logger, 'ingest'),
      maxMessageBytes: config.maxMessageBytes,
      clockSkewToleranceMs: config.clockSkewToleranceMs,
    });
    undo.push(() => pipeline.close());

    const replayGuard = ConnectTokenReplayGuard.open(path.join(store.layout.root, CONNECT_TOKENS_FILE), clock.now());
    undo.push(() => replayGuard.close());

    const anchoring = startAnchoringHandOff({
      db: store.db,
      origin: config.origin,
      redisUrl: config.redisUrl,
      queuePrefix: config.queuePrefix,
      clock,
      logger: componentLogger(logger, 'anchoring'),
      metrics,
      treeSize: () => store.log.size(),
    });
    undo.push(() => anchoring.stop());

    const checkpointer = new Checkpointer({
      origin: config.origin,
      log: store.log,
      tree: store.tree,
      checkpoints: store.checkpoints,
      key,
      clock,
      intervalMs: config.checkpoint.intervalMs,
      maxEntries: config.checkpoint.maxEntries,
      logger: componentLogger(logger, 'checkpoints'),
      metrics,
      onCheckpoint: () => anchoring.checkpointStored(),
    });
    checkpointer.start();
    undo.push(async () => {
      await checkpointer.stop({ final: true });
    });

    const broker = await startMqttBroker(
      {
        pipeline,
        registry,
        checker,
        replayGuard,
        log: watchedLog,
        signer: downlinkSigner,
        clock,
        logger: componentLogger(logger, 'mqtt'),
        metrics: createMqttMetrics(metrics.registry),
        maxMessageBytes: config.maxMessageBytes,
        limits,
      },
      { tcp: { host: config.mqtt.host, port: config.mqtt.port }, tls: config.mqtt.tls, ws: config.mqtt.ws },
    );
    undo.push(() => broker.close());

    const admin = createLocalAdminOperations({ admin: new RegistryAdmin({ log: store.log, registry, clock }), store: registryStore, quarantine: store.log });
    // Issue 6: the dose-schedule routes (/admin/schedules) come before the registry's on both admin endpoints.
    const dosingAdministration = createDosingAdministration({ log: store.log, registry, db: store.db, clock });
    const adminRoutes = dosingAdministration.routesBefore(createAdminRoutes(admin));
    const api = await startGatewayApi({
      store,
      gatewayKey: key.verifierKey,
      anchors: anchoring.anchors,
      metrics,
      logger,
      clock,
      host: config.http.host,
      port: config.http.port,
      clockSkewToleranceMs: config.clockSkewToleranceMs,
      health: () => {
        const storage = storageHealth.report();
        return {
          // Issue 7: still 200 (the API serves sponsors either way), but says that devices are not acknowledged.
          ...(storage.writable ? {} : { status: 'degraded' }),
          devicesConnected: broker.aedes.connectedClients,
          messagesInFlight: pipeline.pending,
          storage,
        };
      },
      adminHandler: adminRoutes,
    });
    undo.push(() => api.close());
    const adminSocket: AdminSocket | null = await startAdminSocket(store.layout.root, adminRoutes);
    if (adminSocket !== null) undo.push(() => adminSocket.close());
    else log.warn({ event: 'no_admin_socket' }, 'the data directory path is too long for the local admin socket; use the HTTP admin routes');

    const context: GatewayContext = { config, store, registry, pipeline, broker, downlinkSigner, clock, logger, metrics };
    const extensions: { stop(): Promise<void> }[] = [];
    const devices = await startDeviceServices(
      { config, log: store.log, registry, pipeline, broker, signer: downlinkSigner, clock, logger, dosing: dosingAdministration },
      deps.deviceServices,
    );
    extensions.push(devices);
    for (const extension of deps.extensions ?? []) extensions.push(await extension(context));
    undo.push(async () => {
      for (const started of extensions.reverse()) await started.stop();
    });

    let stopping: Promise<void> | null = null;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        log.info({ event: 'stopping', pending: pipeline.pending }, 'stopping: no new connections, finishing in-flight messages');
        for (const started of [...extensions].reverse()) await started.stop();
        extensions.length = 0;
        await broker.stopAccepting();
        await pipeline.close();
        await unwind();
        log.info({ event: 'stopped', size: store.log.size(), checkpoint: checkpointer.latest()?.treeSize ?? null }, 'stopped');
      })();
      return stopping;
    };

    log.info(
      {
        event: 'listening',
        mqtt: broker.addresses,
        http: api.url,
        adminSocket: adminSocket?.path ?? null,
        size: store.log.size(),
        devices: registry.size,
        serial: (config.serial ?? []).map((line) => line.path),
        ble: devices.ble !== null,
        verifyWorkers: workers,
        verifierKey: key.verifierKey,
      },
      'gateway started',
    );
    return {
      config,
      origin: config.origin,
      verifierKey: key.verifierKey,
      addresses: { mqtt: broker.addresses, http: api.url, adminSocket: adminSocket?.path ?? null },
      store,
      registry,
      pipeline,
      broker,
      checkpointer,
      anchoring,
      api,
      admin,
      adminRoutes,
      metrics,
      logger,
      downlinkSigner,
      devices,
      stop,
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
