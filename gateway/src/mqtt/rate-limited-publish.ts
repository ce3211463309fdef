/**
 * The per-device rate limit (ingest/device-rate-limit.ts) in front of aedes `authorizePublish` (issue 7,
 * "Overload"; docs/gateway.md).
 *
 * A publish within the device's rate goes straight on (no allocation). One over it waits, in arrival order,
 * before it enters the ingestion path; its PUBACK therefore comes later. aedes dispatches a client's packets
 * one socket read at a time and reads on only once they are all decided, so a device that floods simply stops
 * being read: its own socket fills and it is slowed to its rate, while every other client is read as before
 * (back-pressure; memory bounded by one read per client). A message that would wait longer than the bound is
 * refused: the callback's error closes the connection without a PUBACK, so the device sends it again later.
 * Neither case loses an acknowledged message or drops one silently (spec sections 3 and 7): both are counted
 * (`trialgate_device_rate_limited_total{action}`) and logged, at most once per device per 10 s.
 *
 * `receivedAtMs` of a delayed message is when it leaves the wait (the time the gateway took it), at most the
 * bound later than it reached the socket.
 */
import type { Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import type { DeviceRateLimit } from '../ingest/device-rate-limit.js';
import type { MqttMetrics } from './mqtt-metrics.js';

export type AuthorizePublishHandler = (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) => void;

export interface RateLimitedPublishDependencies {
  readonly limit: DeviceRateLimit;
  /** The configured rate, for the log line. */
  readonly ratePerSecond: number;
  readonly metrics: Pick<MqttMetrics, 'deviceRateLimited'>;
  readonly logger: Logger;
  /** Milliseconds from a monotonic clock, for the log throttle (default `performance.now`). */
  readonly now?: () => number;
}

const LOG_EVERY_MS = 10_000;

export function rateLimitPublishes(inner: AuthorizePublishHandler, deps: RateLimitedPublishDependencies): AuthorizePublishHandler {
  if (!deps.limit.enabled) return inner;
  const now = deps.now ?? (() => performance.now());
  // Per device: when it was last logged, and what happened since (said in the next line).
  const reported = new Map<string, { at: number; delayed: number; refused: number }>();
  const report = (deviceId: string, action: 'delayed' | 'refused'): void => {
    deps.metrics.deviceRateLimited.inc({ action });
    const t = now();
    const entry = reported.get(deviceId);
    if (entry !== undefined && t - entry.at < LOG_EVERY_MS) {
      entry[action] += 1;
      return;
    }
    if (reported.size >= 10_000) reported.clear();
    reported.set(deviceId, { at: t, delayed: 0, refused: 0 });
    deps.logger.warn(
      {
        event: 'device_rate_limited',
        deviceId,
        action,
        limitPerSecond: deps.ratePerSecond,
        // Over the 10 s before this line (its own message not counted), when the device was limited then too.
        delayedBefore: entry?.delayed ?? 0,
        refusedBefore: entry?.refused ?? 0,
      },
      action === 'delayed'
        ? 'device over its rate limit: its messages wait and their acknowledgements come later'
        : 'device over its rate limit for too long: message refused unacknowledged, connection closed (the device resends)',
    );
  };

  return (client, packet, callback) => {
    if (client === null || deps.limit.tryNow(client.id)) {
      inner(client, packet, callback);
      return;
    }
    const deviceId = client.id;
    const queued = deps.limit.enqueue(deviceId, () => {
      // The connection ended while the message waited: it was never acknowledged, the device resends it.
      if (client.closed) {
        callback(new Error('connection closed while the message waited for its device rate'));
        return;
      }
      inner(client, packet, callback);
    });
    if (queued) {
      report(deviceId, 'delayed');
      return;
    }
    report(deviceId, 'refused');
    callback(new Error(`device ${deviceId} is over its rate limit of ${deps.ratePerSecond}/s`));
  };
}
