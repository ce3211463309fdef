/**
 * Test support: a unique BullMQ/anchor-state prefix per test on the machine's shared Redis, and removal of
 * every key under it afterwards (SCAN, never KEYS or FLUSH: other suites share that Redis).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysUnderPrefix } from '@trialgate/proof-formats';

export const SHARED_REDIS_URL = process.env['TRIALGATE_TEST_REDIS'] ?? 'redis://127.0.0.1:6379';

export function uniqueTestPrefix(label: string): string {
  return `tgtest-${label}-${randomBytes(4).toString('hex')}`;
}

export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  try {
    return await deleteKeysUnderPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
