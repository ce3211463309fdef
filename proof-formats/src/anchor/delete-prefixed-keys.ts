/**
 * Removes every Redis key under a queue prefix (`<prefix>:*`, BullMQ's key layout for the anchor queues of
 * anchor-queue-contract.ts): the clean-up of a test's or a demo's private prefix on a Redis others share.
 * SCAN in pages, never KEYS or FLUSH, which would block or wipe the other users' data. The connection is
 * passed in (each caller sets its own timeouts and retries); an ioredis client fits `RedisKeyScanner`, so this
 * package needs no Redis client of its own.
 */

/** The two Redis commands the clean-up uses, as ioredis types them. */
export interface RedisKeyScanner {
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', pageSize: number): Promise<[cursor: string, keys: string[]]>;
  del(...keys: string[]): Promise<number>;
}

/** Deletes every key matching `<prefix>:*`; returns how many were deleted. */
export async function deleteKeysUnderPrefix(redis: RedisKeyScanner, prefix: string, pageSize = 500): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', pageSize);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
