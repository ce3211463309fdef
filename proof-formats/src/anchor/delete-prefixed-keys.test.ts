import { describe, expect, it } from 'vitest';
import { deleteKeysUnderPrefix, type RedisKeyScanner } from './delete-prefixed-keys.js';

/** A Redis with a key space whose SCAN answers every match at once (cursor 0). */
function fakeRedis(keys: string[]): RedisKeyScanner & { readonly space: Set<string>; readonly calls: string[] } {
  const space = new Set(keys);
  const calls: string[] = [];
  return {
    space,
    calls,
    scan: (cursor, _match, pattern) => {
      calls.push(`scan ${cursor} ${pattern}`);
      const prefix = pattern.slice(0, -1);
      return Promise.resolve(['0', [...space].filter((k) => k.startsWith(prefix))]);
    },
    del: (...deleted) => {
      calls.push(`del ${deleted.length}`);
      return Promise.resolve(deleted.filter((key) => space.delete(key)).length);
    },
  };
}

describe('deleteKeysUnderPrefix', () => {
  it('deletes the keys under prefix: and nothing else, and counts them', async () => {
    const redis = fakeRedis(['tg-a:1', 'tg-a:2', 'tg-a:q:3', 'tg-ab:1', 'tg-a', 'other:1']);
    expect(await deleteKeysUnderPrefix(redis, 'tg-a')).toBe(3);
    expect([...redis.space].sort()).toEqual(['other:1', 'tg-a', 'tg-ab:1']);
    expect(redis.calls).toEqual(['scan 0 tg-a:*', 'del 3']);
  });

  it('follows the cursor until Redis answers 0, and sends no DEL for an empty page', async () => {
    const pages: [string, string[]][] = [
      ['17', ['p:1']],
      ['42', []],
      ['0', ['p:2', 'p:3']],
    ];
    const calls: string[] = [];
    const redis: RedisKeyScanner = {
      scan: (cursor) => {
        calls.push(`scan ${cursor}`);
        return Promise.resolve(pages.shift() ?? ['0', []]);
      },
      del: (...keys) => {
        calls.push(`del ${keys.join(',')}`);
        return Promise.resolve(keys.length);
      },
    };
    expect(await deleteKeysUnderPrefix(redis, 'p')).toBe(3);
    expect(calls).toEqual(['scan 0', 'del p:1', 'scan 17', 'scan 42', 'del p:2,p:3']);
  });
});
