/**
 * The embedded MQTT broker (aedes 1.2, MQTT 3.1.1): wires the hooks (one file per concern, like aedes'
 * own handlers) to the registry, the ingestion pipeline and the downlink, and starts the listeners.
 *
 *   preConnect          remembers whether the CONNECT carried a will (refused in authenticate)
 *   authenticate        authenticate.ts: connect tokens (spec section 3)
 *   authorizePublish    authorize-publish.ts: the ingestion path; PUBACK only once durable
 *   authorizeSubscribe  authorize-subscribe.ts: own downlink only
 *   authorizeForward    authorize-subscribe.ts: nothing but a client's own downlink reaches it
 *
 * Overload (issue 7, docs/gateway.md "Overload"): connections over the per-address rate or the bound on
 * unauthenticated ones are closed on accept (connection-rate-limit.ts); a device over its rate waits for its
 * PUBACKs (rate-limited-publish.ts); a client whose socket takes nothing for the drain timeout is closed
 * (aedes `drainTimeout`).
 *
 * Shutdown is two steps, so the gateway can finish in-flight appends in between: `stopAccepting()` closes
 * the listeners (connected devices keep their connections and get their PUBACKs), `close()` disconnects
 * everyone.
 */
// Before aedes: its parser's disabled debug loggers then cost nothing (quiet-disabled-debug.ts).
import './quiet-disabled-debug.js';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type Client, type PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from '../config/gateway-config.js';
import type { DownlinkSigner } from '../downlink/downlink-signer.js';
import { signNotice, type NoticeData } from '../downlink/notice.js';
import { DeviceRateLimit } from '../ingest/device-rate-limit.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import type { MessageChecker } from '../ingest/message-checker.js';
import type { DeviceRegistry } from '../registry/device-registry.js';
import type { GatewayLog } from '../storage/gateway-log.js';
import { createAuthenticate, type ConnectRefusal } from './authenticate.js';
import { createAuthorizePublish, type DeviceNotifier } from './authorize-publish.js';
import { authorizeForward, createAuthorizeSubscribe } from './authorize-subscribe.js';
import type { ConnectTokenReplayGuard } from './connect-token-replay-guard.js';
import { ConnectionRateLimit, type AdmittedConnection, type ConnectionShedReason } from './connection-rate-limit.js';
import { downlinkTopic, uplinkTopic } from './device-topics.js';
import { startMqttListeners, type MqttListenerAddresses, type MqttListenerOptions } from './mqtt-listeners.js';
import type { MqttMetrics } from './mqtt-metrics.js';
import { guardInvalidPublishTopics } from './invalid-publish-guard.js';
import { guardPacketSize } from './packet-size-guard.js';
import { rateLimitPublishes } from './rate-limited-publish.js';
import { skipUplinkPublish } from './skip-uplink-publish.js';

export interface MqttBrokerDependencies {
  readonly pipeline: IngestPipeline;
  readonly registry: DeviceRegistry;
  readonly checker: MessageChecker;
  readonly replayGuard: ConnectTokenReplayGuard;
  /** Where refused connection attempts are recorded (quarantine). */
  readonly log: Pick<GatewayLog, 'quarantine'>;
  readonly signer: DownlinkSigner;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: MqttMetrics;
  /** `--max-message-bytes`: packets far beyond it are cut off before they are buffered (packet-size-guard.ts). */
  readonly maxMessageBytes: number;
  /** Issue 7: overload limits (default `DEFAULT_GATEWAY_LIMITS`). */
  readonly limits?: GatewayLimits;
}

export interface MqttBroker extends DeviceNotifier {
  readonly aedes: Aedes;
  readonly addresses: MqttListenerAddresses;
  /** Publishes signed downlink bytes to a device (QoS 1); resolves once handed to the broker. */
  sendDownlink(deviceId: string, bytes: Uint8Array): Promise<void>;
  /** Closes the connection of a device, if connected. */
  disconnect(deviceId: string): void;
  /** Stops accepting connections; connected devices stay. */
  stopAccepting(): Promise<void>;
  /** Disconnects every device and stops the broker. */
  close(): Promise<void>;
}

/** Refused connections written to quarantine at once at most; more are counted, not written (flooding). */
const MAX_REFUSALS_IN_FLIGHT = 256;
const REPLAY_GUARD_PRUNE_MS = 60_000;
/** Shed connections are summed up in one log line at most this often (a flood must not flood the log). */
const SHED_LOG_EVERY_MS = 10_000;

export async function startMqttBroker(deps: MqttBrokerDependencies, listeners: MqttListenerOptions): Promise<MqttBroker> {
  const logger = deps.logger;
  const clientsWithWill = new WeakSet<Client>();
  let refusalsInFlight = 0;
  const limits = deps.limits ?? DEFAULT_GATEWAY_LIMITS;
  const connectionLimit = new ConnectionRateLimit({ ratePerSecond: limits.mqttConnectRatePerSecond, maxConnecting: limits.mqttMaxConnecting });
  const deviceRateLimit = new DeviceRateLimit({ ratePerSecond: limits.deviceRatePerSecond });
  // A connection admitted and not yet authenticated holds a place in `connectionLimit` until one of these.
  const admitted = new WeakMap<Client, AdmittedConnection>();
  const shed = { rate: 0, connecting: 0, loggedAt: -Infinity };
  const shedConnection = (stream: Duplex, reason: ConnectionShedReason): void => {
    stream.destroy();
    deps.metrics.connectionsShed.inc({ reason });
    shed[reason] += 1;
    const now = performance.now();
    if (now - shed.loggedAt < SHED_LOG_EVERY_MS) return;
    logger.warn(
      { event: 'connections_shed', rate: shed.rate, connecting: shed.connecting, perAddressPerSecond: limits.mqttConnectRatePerSecond, maxConnecting: limits.mqttMaxConnecting },
      'connections closed on accept: over the per-address connection rate or too many unauthenticated connections (counts since the last such line)',
    );
    shed.rate = 0;
    shed.connecting = 0;
    shed.loggedAt = now;
  };

  const recordRefusal = (refusal: ConnectRefusal): void => {
    if (refusalsInFlight >= MAX_REFUSALS_IN_FLIGHT) {
      deps.metrics.refusalsNotRecorded.inc();
      return;
    }
    refusalsInFlight += 1;
    deps.log
      .quarantine({
        receivedAtMs: refusal.receivedAtMs,
        transport: 'mqtt',
        claimedDeviceId: refusal.deviceId,
        source: 'mqtt-connect',
        reason: refusal.reason,
        message: refusal.message,
        details: { tokenSha256: refusal.tokenSha256, remoteAddress: refusal.remoteAddress },
        // The token itself is not kept: it is a credential (never stored or logged); its digest identifies it.
        original: new Uint8Array(0),
      })
      .then(
        () => undefined,
        (error: unknown) => logger.error({ event: 'quarantine_failed', err: error }, 'could not record a refused connection'),
      )
      .finally(() => {
        refusalsInFlight -= 1;
      });
  };

  // Function declarations: the hooks below need them before `aedes` exists, and they run only after.
  function notify(deviceId: string, notice: NoticeData): void {
    // A device that reads nothing of its connection gets no more notices (best effort: they would only wait).
    if (backedUp(clientOf(deviceId))) {
      deps.metrics.noticesNotSent.inc();
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = signNotice({ dev: deviceId, t: deps.clock.now(), notice }, deps.signer);
    } catch (error) {
      logger.error({ event: 'notice_failed', deviceId, err: error }, 'could not sign a notice');
      return;
    }
    deps.metrics.noticesSent.inc({ code: notice.code });
    publish(deviceId, bytes).catch((error: unknown) => logger.warn({ event: 'notice_failed', deviceId, err: error }, 'could not send a notice'));
  }
  /**
   * Issue 7: written on the device's own connection (aedes `Client.publish`), not through the broker-wide
   * emitter (`aedes.publish`): mqemitter delivers with a concurrency of 100, so a few clients that read nothing
   * held every publish of every device up to the drain timeout, and releasing the backlog then overflowed the
   * stack and ended the process (found by test/reliability/overload). A device not subscribed to its downlink
   * gets nothing, as before (clean sessions: nothing is kept for later).
   */
  function publish(deviceId: string, bytes: Uint8Array): Promise<void> {
    const topic = downlinkTopic(deviceId);
    const client = clientOf(deviceId);
    const subscriptions = (client as unknown as { subscriptions?: Record<string, unknown> } | undefined)?.subscriptions;
    if (client === undefined || client.closed || subscriptions?.[topic] === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const packet: PublishPacket = { cmd: 'publish', topic, payload: Buffer.from(bytes), qos: 1, retain: false, dup: false };
      client.publish(packet, (error) => (error === undefined || error === null ? resolve() : reject(error)));
    });
  }
  function clientOf(deviceId: string): Client | undefined {
    return (aedes as unknown as { clients: Record<string, Client | undefined> }).clients[deviceId];
  }

  const aedes = new Aedes({
    // Device ids are up to 64 characters (spec section 1); aedes checks this only for MQTT 3.1 clients.
    maxClientsIdLength: 64,
    connectTimeout: 10_000,
    // Issue 7: a client whose socket takes nothing we write for this long is closed (0: never).
    drainTimeout: limits.mqttDrainTimeoutMs,
    preConnect: (client, packet, callback) => {
      if (packet.will !== undefined && packet.will !== null) clientsWithWill.add(client);
      callback(null, true);
    },
    authenticate: createAuthenticate({
      registry: deps.registry,
      checker: deps.checker,
      replayGuard: deps.replayGuard,
      clock: deps.clock,
      logger,
      metrics: deps.metrics,
      clientsWithWill,
      recordRefusal,
    }),
    authorizePublish: rateLimitPublishes(createAuthorizePublish({ pipeline: deps.pipeline, notifier: { notify }, clock: deps.clock, logger }), {
      limit: deviceRateLimit,
      ratePerSecond: limits.deviceRatePerSecond,
      metrics: deps.metrics,
      logger,
    }),
    authorizeSubscribe: createAuthorizeSubscribe({ logger, metrics: deps.metrics }),
    authorizeForward,
  });
  // An uplink message is decided in authorizePublish; aedes' routing of it afterwards has no effect (skip-uplink-publish.ts).
  skipUplinkPublish(aedes);
  await aedes.listen();

  const updateClients = (): void => deps.metrics.clients.set(aedes.connectedClients);
  aedes.on('client', (client) => {
    updateClients();
    admitted.get(client)?.settle();
  });
  aedes.on('clientDisconnect', (client) => {
    updateClients();
    logger.info({ event: 'disconnected', deviceId: client.id }, 'device disconnected');
  });
  const slowClientsSeen = new WeakSet<Client>();
  aedes.on('clientError', (client, error) => {
    // aedes 1.2 destroys a connection whose socket did not drain within `drainTimeout` with this error, and
    // hands the same error to every write that was waiting: counted and said once per connection.
    if (error.message === 'drain timeout') {
      if (slowClientsSeen.has(client)) return;
      slowClientsSeen.add(client);
      deps.metrics.slowClientsClosed.inc();
      logger.warn({ event: 'slow_client_closed', deviceId: client.id, drainTimeoutMs: limits.mqttDrainTimeoutMs }, 'connection closed: the client took nothing the gateway wrote for the drain timeout');
      return;
    }
    logger.debug({ event: 'client_error', deviceId: client.id, err: error }, 'client connection error');
  });

  const disconnect = (deviceId: string): void => {
    clientOf(deviceId)?.close();
  };
  // A device suspended, retired or no longer allowed MQTT loses its connection at once.
  const unsubscribeRegistry = deps.registry.onChange((record) => {
    if (record.status !== 'active' || !record.transports.includes('mqtt')) disconnect(record.id);
  });
  const prune = setInterval(() => {
    // A full disk makes SQLite's DELETE fail: an error thrown in a timer would end the process (issue 7).
    try {
      deps.replayGuard.prune(deps.clock.now());
    } catch (error) {
      logger.warn({ event: 'replay_guard_prune_failed', err: error }, 'could not forget expired connect tokens; trying again later');
    }
  }, REPLAY_GUARD_PRUNE_MS);
  prune.unref();

  // aedes 1.2 refuses PUBLISH topics deeper than this (its option, default 100; not in its types).
  const topicLevels = (aedes as unknown as { maxTopicLevels?: number }).maxTopicLevels ?? 100;
  let listening;
  try {
    listening = await startMqttListeners(listeners, (stream, request) => {
      // Issue 7: a flood is shed here, before aedes reads a byte of the connection.
      const admission = connectionLimit.admit(remoteAddressOf(stream, request));
      if (!admission.admitted) {
        shedConnection(stream, admission.reason);
        return;
      }
      const settle = (): void => admission.connection.settle();
      stream.once('close', settle);
      const client = aedes.handle(stream, request);
      admitted.set(client, admission.connection);
      const guarded = guardPacketSize(client, deps.maxMessageBytes, (length) => {
        deps.metrics.oversizePackets.inc();
        logger.warn({ event: 'packet_too_large', deviceId: client.id ?? null, length }, 'connection closed: MQTT packet too large');
      });
      if (!guarded) logger.warn({ event: 'packet_guard_unavailable' }, 'the MQTT packet size guard could not be installed');
      // A PUBLISH to an empty, wildcard or too deep topic is refused by aedes before authorizePublish runs:
      // quarantine it all the same (spec section 7), then aedes closes the connection (invalid-publish-guard.ts).
      const topicsGuarded = guardInvalidPublishTopics(client, topicLevels, (device, publish) => {
        const source = publish.topic.length > 200 ? `${publish.topic.slice(0, 200)}…` : publish.topic;
        deps.pipeline
          .reject(
            { transport: 'mqtt', bytes: publish.payload, receivedAtMs: deps.clock.now(), senderDeviceId: device.id, source },
            {
              reason: 'E_TOPIC_NOT_ALLOWED',
              message: `device ${device.id} may publish only to ${uplinkTopic(device.id)} (a topic name holds no wildcard)`,
              deviceId: device.id,
              seq: null,
              impersonation: false,
              details: { topic: source },
            },
          )
          .catch((error: unknown) => logger.error({ event: 'quarantine_failed', deviceId: device.id, err: error }, 'could not quarantine a refused publish'));
      });
      if (!topicsGuarded) logger.warn({ event: 'publish_guard_unavailable' }, 'the MQTT publish topic guard could not be installed');
    });
  } catch (error) {
    clearInterval(prune);
    unsubscribeRegistry();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  }
  // Listening stops as soon as close() is called; its promise settles when the last connection has ended.
  let listenersClosed: Promise<void> | null = null;
  const stopListening = (): Promise<void> => (listenersClosed ??= listening.close());
  return {
    aedes,
    addresses: listening.addresses,
    notify,
    sendDownlink: publish,
    disconnect,
    stopAccepting: () => {
      void stopListening();
      return Promise.resolve();
    },
    close: async () => {
      const ended = stopListening();
      deviceRateLimit.close();
      clearInterval(prune);
      unsubscribeRegistry();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await ended;
    },
  };
}

/** The peer's address (TCP, TLS: the socket; WebSocket: the upgraded request's socket), or null. */
function remoteAddressOf(stream: Duplex, request: IncomingMessage | undefined): string | null {
  const address = (stream as Partial<Socket>).remoteAddress ?? request?.socket.remoteAddress;
  return typeof address === 'string' ? address : null;
}

/** Bytes waiting in a connection's own buffer beyond which it counts as not reading (its kernel buffers are full). */
const BACKED_UP_BYTES = 256 * 1024;

function backedUp(client: Client | undefined): boolean {
  const pending = (client?.conn as { writableLength?: unknown } | undefined)?.writableLength;
  return typeof pending === 'number' && pending > BACKED_UP_BYTES;
}
