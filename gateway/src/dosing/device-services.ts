/**
 * Issue 6 in the gateway process: the dose-schedule administration (routes on the admin socket and the HTTP
 * API), the serial lines (`--serial`), the BLE central (`--ble`), the downlink routes over MQTT, serial and
 * BLE, and the dosing service. The composition root (gateway.ts) calls `createDosingAdministration` before it
 * starts its API, and `startDeviceServices` once the broker runs; the result is stopped first on shutdown
 * (serial and BLE stop reading, what is in flight gets its durable decision and its ack, then they close).
 */
import type { Logger } from 'pino';
import { chainAdminRoutes } from './dosing-routes.js';
import type { AdminRouteHandler } from '../api/admin-routes.js';
import type { TimerPort } from '../checkpoints/timer-port.js';
import { systemTimers } from '../checkpoints/timer-port.js';
import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { DownlinkSigner } from '../downlink/downlink-signer.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import type { MqttBroker } from '../mqtt/mqtt-broker.js';
import { componentLogger } from '../observability/logger.js';
import type { DeviceRegistry } from '../registry/device-registry.js';
import type { StateDatabase } from '../storage/state-database.js';
import type { GatewayLog } from '../storage/gateway-log.js';
import { BleCentral, type BleTimeouts } from '../ble/ble-central.js';
import { RegistryBleDirectory } from '../ble/ble-device-directory.js';
import { loadHciNoble } from '../ble/load-noble.js';
import type { NobleLike } from '../ble/noble-like.js';
import type { RandomSource } from '../serial/reopen-backoff.js';
import type { OpenSerialLine } from '../serial/serial-line.js';
import { openSerialportLine } from '../serial/serialport-line.js';
import { SerialTransport } from '../serial/serial-transport.js';
import { DosingAdmin } from './dosing-admin.js';
import { createLocalDosingOperations, type DosingOperations } from './dosing-operations.js';
import { createDosingRoutes } from './dosing-routes.js';
import { DosingService } from './dosing-service.js';
import { DosingStore } from './dosing-store.js';
import { DownlinkRouter } from './downlink-router.js';
import { createMqttDownlinkRoute } from './mqtt-downlink-route.js';

export interface DeviceServicesOptions {
  /** BLE: noble over other bindings (tests: simulated); default the HCI socket, loaded only with `--ble`. */
  readonly ble?: { readonly noble?: NobleLike; readonly timeouts?: Partial<BleTimeouts> };
  /** Serial: how a port is opened (default the serialport package). */
  readonly openSerialLine?: OpenSerialLine;
  readonly dosing?: { readonly tickMs?: number; readonly resendAfterMs?: number };
  readonly timers?: TimerPort;
  readonly random?: RandomSource;
}

export interface DosingAdministration {
  readonly store: DosingStore;
  readonly admin: DosingAdmin;
  readonly operations: DosingOperations;
  /** The schedule routes, then `fallback` (the registry's admin routes). */
  routesBefore(fallback: AdminRouteHandler): AdminRouteHandler;
}

export function createDosingAdministration(deps: { readonly log: GatewayLog; readonly registry: DeviceRegistry; readonly db: StateDatabase; readonly clock: Clock }): DosingAdministration {
  const store = new DosingStore(deps.db);
  const admin = new DosingAdmin({ log: deps.log, registry: deps.registry, store, clock: deps.clock });
  const operations = createLocalDosingOperations({ admin, store });
  const routes = createDosingRoutes(operations);
  return { store, admin, operations, routesBefore: (fallback) => chainAdminRoutes(routes, fallback) };
}

export interface DeviceServicesContext {
  readonly config: GatewayConfig;
  readonly log: GatewayLog;
  readonly registry: DeviceRegistry;
  readonly pipeline: IngestPipeline;
  readonly broker: MqttBroker;
  readonly signer: DownlinkSigner;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly dosing: DosingAdministration;
}

export interface DeviceServices {
  readonly dosing: DosingService;
  readonly router: DownlinkRouter;
  readonly serial: SerialTransport | null;
  readonly ble: BleCentral | null;
  /** Stops serial and BLE reading (in-flight messages finish and are acknowledged), the dosing service, then closes them. */
  stop(): Promise<void>;
}

export async function startDeviceServices(context: DeviceServicesContext, options: DeviceServicesOptions = {}): Promise<DeviceServices> {
  const timers = options.timers ?? systemTimers;
  const random = options.random ?? Math.random;
  const router = new DownlinkRouter();
  let reachable: (deviceId: string) => void = () => undefined;
  const onReachable = (deviceId: string): void => reachable(deviceId);
  const closers: (() => Promise<void> | void)[] = [];
  const unwind = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close();
  };

  try {
    const mqttRoute = createMqttDownlinkRoute(context.broker, onReachable);
    closers.push(() => mqttRoute.close());
    router.add(mqttRoute);

    let serial: SerialTransport | null = null;
    const ports = context.config.serial ?? [];
    if (ports.length > 0) {
      const transport = new SerialTransport({
        ports,
        openLine: options.openSerialLine ?? openSerialportLine,
        pipeline: context.pipeline,
        signer: context.signer,
        clock: context.clock,
        timers,
        random,
        logger: componentLogger(context.logger, 'serial'),
        maxMessageBytes: context.config.maxMessageBytes,
        onReachable,
      });
      serial = transport;
      closers.push(() => transport.close());
      transport.start();
      router.add({ transport: 'serial', canReach: (id) => transport.canReach(id), send: (id, bytes) => transport.send(id, bytes) });
    }

    let ble: BleCentral | null = null;
    if (context.config.ble === true) {
      const directory = new RegistryBleDirectory(context.registry);
      closers.push(() => directory.close());
      const central = new BleCentral({
        noble: options.ble?.noble ?? loadHciNoble(),
        directory,
        registry: context.registry,
        log: context.log,
        pipeline: context.pipeline,
        signer: context.signer,
        clock: context.clock,
        timers,
        random,
        logger: componentLogger(context.logger, 'ble'),
        maxMessageBytes: context.config.maxMessageBytes,
        ...(options.ble?.timeouts === undefined ? {} : { timeouts: options.ble.timeouts }),
        onReachable,
      });
      ble = central;
      await central.start();
      closers.push(() => central.close());
      router.add(central.route);
    }

    const dosing = new DosingService({
      log: context.log,
      store: context.dosing.store,
      registry: context.registry,
      router,
      signer: context.signer,
      clock: context.clock,
      timers,
      logger: componentLogger(context.logger, 'dosing'),
      ...(options.dosing?.tickMs === undefined ? {} : { tickMs: options.dosing.tickMs }),
      ...(options.dosing?.resendAfterMs === undefined ? {} : { resendAfterMs: options.dosing.resendAfterMs }),
    });
    reachable = (deviceId) => dosing.onReachable(deviceId);
    dosing.start();

    let stopping: Promise<void> | null = null;
    return {
      dosing,
      router,
      serial,
      ble,
      stop: () =>
        (stopping ??= (async () => {
          await serial?.stopAccepting();
          await ble?.stopAccepting();
          await dosing.stop();
          await unwind();
        })()),
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
