import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_REDIS_URL, deleteKeysWithPrefix, uniqueTestPrefix } from '../testing/redis-test-prefix.js';
import { describeAnchorStateStoreContract } from './anchor-state-store.contract.js';
import { newAnchorRecord } from './anchor-record.js';
import { anchorStateKeys } from './anchor-state-keys.js';
import { createRedisAnchorStateStore } from './redis-anchor-state-store.js';

const prefixes: string[] = [];
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(SHARED_REDIS_URL, { lazyConnect: true });
  await redis.connect();
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysWithPrefix(SHARED_REDIS_URL, prefix);
  redis.disconnect();
});

function open() {
  const prefix = uniqueTestPrefix('state');
  prefixes.push(prefix);
  return createRedisAnchorStateStore({ redis, prefix });
}

describeAnchorStateStoreContract('redis', open);

describe('createRedisAnchorStateStore', () => {
  it('reports an unreadable record with a typed error', async () => {
    const prefix = uniqueTestPrefix('state');
    prefixes.push(prefix);
    const store = createRedisAnchorStateStore({ redis, prefix });
    await store.offer(newAnchorRecord(1, 'a.example/gw', 1, `0x${'11'.repeat(32)}`, 1));
    await redis.set(anchorStateKeys(prefix).record(1, 'a.example/gw', 1), '{"v":2}');
    await expect(store.load(1, 'a.example/gw', 1)).rejects.toMatchObject({ code: 'E_ANCHORING_STATE' });
  });
});
