import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { newAnchorRecord } from './anchor-record.js';
import { createRedisAnchorStateStore } from './redis-anchor-state-store.js';

describe('createRedisAnchorStateStore scripts', () => {
  it('falls back to EVAL when Redis does not know a script (NOSCRIPT after a restart)', async () => {
    const calls: string[] = [];
    const record = newAnchorRecord(1, 'a.example/gw', 1, `0x${'11'.repeat(32)}`, 1);
    const fake = {
      evalsha: () => {
        calls.push('evalsha');
        return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
      },
      eval: () => {
        calls.push('eval');
        return Promise.resolve(['offered', JSON.stringify(record), '1']);
      },
    } as unknown as Redis;
    const outcome = await createRedisAnchorStateStore({ redis: fake, prefix: 'p' }).offer(record);
    expect(outcome).toMatchObject({ kind: 'offered', newest: 1 });
    expect(calls).toEqual(['evalsha', 'eval']);
  });
});
