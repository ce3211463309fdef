/**
 * Which Redis the demo uses (it carries checkpoints from the gateway to the anchor worker and the anchors'
 * results back): the one named by `--redis` / `REDIS_URL`; else 127.0.0.1:6379 if it answers; else a private
 * `redis-server` on a free port, if one is installed; else an error that says how to get one.
 *
 * A Redis the user named that does not answer is an error, not a reason to start another one: they asked for
 * that server, and silently using a different one would hide the mistake.
 */
import path from 'node:path';
import { Redis } from 'ioredis';
import { deleteKeysUnderPrefix, findOnPath } from '@trialgate/proof-formats';
import { DemoError } from './demo-error.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisChoice {
  readonly url: string;
  /** The private redis-server the demo started (stopped at the end), or null for a shared one. */
  readonly started: ManagedProcess | null;
  readonly how: 'named' | 'default' | 'private';
}

/** The outside world, passed in (tests replace it). */
export interface RedisPorts {
  ping(url: string): Promise<boolean>;
  /** The redis-server executable, or null if none is installed. */
  redisServerBinary(): string | null;
  startPrivate(binary: string): Promise<{ readonly url: string; readonly process: ManagedProcess }>;
}

export const HOW_TO_GET_REDIS = [
  'The demo needs Redis: it carries checkpoints from the gateway to the anchor worker and the anchors back.',
  'Any one of these gets you going:',
  '  - install it:         sudo apt-get install redis-server      (Debian, Ubuntu; or: brew install redis on macOS)',
  '                        then run npm start again (the demo starts a private one when none answers)',
  '  - run it in Docker:   docker run -d -p 6379:6379 redis:7',
  '  - use one you have:   REDIS_URL=redis://host:6379 npm start   (or trialgate demo --redis URL)',
].join('\n');

export async function chooseRedis(requested: string | undefined, ports: RedisPorts): Promise<RedisChoice> {
  if (requested !== undefined) {
    if (await ports.ping(requested)) return { url: requested, started: null, how: 'named' };
    throw new DemoError('E_DEMO_NO_REDIS', `no Redis answered at ${redactUrl(requested)} (named by --redis or REDIS_URL).\n` +
      'Start it, correct the URL, or leave REDIS_URL unset to let the demo use 127.0.0.1:6379 or start its own.', {
      details: { url: redactUrl(requested) },
    });
  }
  if (await ports.ping(DEFAULT_REDIS_URL)) return { url: DEFAULT_REDIS_URL, started: null, how: 'default' };
  const binary = ports.redisServerBinary();
  if (binary === null) {
    throw new DemoError('E_DEMO_NO_REDIS', `no Redis answered at ${DEFAULT_REDIS_URL}, and redis-server is not installed.\n${HOW_TO_GET_REDIS}`);
  }
  const started = await ports.startPrivate(binary);
  return { url: started.url, started: started.process, how: 'private' };
}

/** The real ports: ioredis for the ping, PATH for redis-server, a child process for a private one. */
export function systemRedisPorts(options: { readonly dataDir: string; readonly logFile: string; readonly env: NodeJS.ProcessEnv }): RedisPorts {
  return {
    ping: pingRedis,
    redisServerBinary: () => findOnPath('redis-server', options.env['PATH'] ?? ''),
    startPrivate: async (binary) => {
      const port = await freePort();
      const child = ManagedProcess.start({
        name: 'the private Redis (redis-server)',
        command: binary,
        // No persistence: the demo's queue lives only as long as the demo.
        args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', path.resolve(options.dataDir)],
        logFile: options.logFile,
        env: options.env,
      });
      try {
        await child.waitForOutput(/[Rr]eady to accept connections/, 20_000);
      } catch (error) {
        await child.stop('SIGKILL', 1000);
        throw error;
      }
      return { url: `redis://127.0.0.1:${port}`, process: child };
    },
  };
}

export async function pingRedis(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under `prefix:` (SCAN, never KEYS or FLUSH: the Redis may be shared). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await deleteKeysUnderPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** A URL as it may be shown: without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}
