import { describe, expect, it } from 'vitest';
import { DemoError } from './demo-error.js';
import type { ManagedProcess } from './managed-process.js';
import { DEFAULT_REDIS_URL, HOW_TO_GET_REDIS, chooseRedis, redactUrl, type RedisPorts } from './redis-endpoint.js';

function ports(answering: readonly string[], binary: string | null): RedisPorts & { started: string[] } {
  const started: string[] = [];
  return {
    started,
    ping: (url) => Promise.resolve(answering.includes(url)),
    redisServerBinary: () => binary,
    startPrivate: (path) => {
      started.push(path);
      return Promise.resolve({ url: 'redis://127.0.0.1:40001', process: { name: 'redis' } as ManagedProcess });
    },
  };
}

describe('chooseRedis', () => {
  it('uses the Redis named by --redis or REDIS_URL when it answers', async () => {
    expect(await chooseRedis('redis://db:6380', ports(['redis://db:6380'], null))).toMatchObject({ url: 'redis://db:6380', how: 'named', started: null });
  });

  it('refuses a named Redis that does not answer instead of silently using another one', async () => {
    const fake = ports([DEFAULT_REDIS_URL], '/usr/bin/redis-server');
    await expect(chooseRedis('redis://:secret@db:6380', fake)).rejects.toThrow(/no Redis answered at redis:\/\/:\*\*\*@db:6380/);
    expect(fake.started).toEqual([]);
  });

  it('uses 127.0.0.1:6379 when it answers, else starts a private redis-server when one is installed', async () => {
    expect(await chooseRedis(undefined, ports([DEFAULT_REDIS_URL], null))).toMatchObject({ url: DEFAULT_REDIS_URL, how: 'default' });
    const fake = ports([], '/usr/bin/redis-server');
    expect(await chooseRedis(undefined, fake)).toMatchObject({ url: 'redis://127.0.0.1:40001', how: 'private' });
    expect(fake.started).toEqual(['/usr/bin/redis-server']);
  });

  it('with neither, says exactly how to get one (E_DEMO_NO_REDIS)', async () => {
    const error = await chooseRedis(undefined, ports([], null)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DemoError);
    expect((error as DemoError).code).toBe('E_DEMO_NO_REDIS');
    expect((error as DemoError).message).toContain('redis-server is not installed');
    expect((error as DemoError).message).toContain(HOW_TO_GET_REDIS);
    expect(HOW_TO_GET_REDIS).toMatch(/apt-get install redis-server[\s\S]*docker run[\s\S]*REDIS_URL=/);
  });

  it('never shows a password', () => {
    expect(redactUrl('redis://user:pw@h:1/0')).toBe('redis://user:***@h:1/0');
    expect(redactUrl('not a url')).toBe('(unparseable URL)');
  });
});
