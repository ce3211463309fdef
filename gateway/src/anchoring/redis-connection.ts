/**
 * ioredis connections for the anchoring hand-off. Two kinds, because BullMQ needs them so:
 * - for adding jobs, `enableOfflineQueue: false` and one retry per request, so that an `add` while Redis is
 *   down fails at once (the outbox backs off and retries) instead of queueing in memory without bound;
 * - for the results worker's blocking reads, `maxRetriesPerRequest: null` (BullMQ requires it).
 * Both reconnect forever with a capped delay; their `error` events are logged, never thrown.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

export type RedisUse = 'producer' | 'worker';

export function createRedisConnection(url: string, use: RedisUse, logger: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    connectTimeout: 5_000,
    enableOfflineQueue: use === 'worker',
    maxRetriesPerRequest: use === 'worker' ? null : 1,
    retryStrategy: (times) => Math.min(250 * 2 ** Math.min(times, 6), 10_000),
  });
  let lastLoggedMs = 0;
  redis.on('error', (error: Error) => {
    const now = Date.now();
    // One line per 30 s at most while Redis is away.
    if (now - lastLoggedMs > 30_000) {
      lastLoggedMs = now;
      logger.warn({ err: error, use }, 'redis connection error; reconnecting');
    }
  });
  return redis;
}

export { redactRedisUrl } from './redact-redis-url.js';
