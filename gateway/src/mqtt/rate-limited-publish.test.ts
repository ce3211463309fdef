import type { Client, PublishPacket } from 'aedes';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { TimerPort } from '../checkpoints/timer-port.js';
import { DeviceRateLimit } from '../ingest/device-rate-limit.js';
import { createMqttMetrics } from './mqtt-metrics.js';
import { rateLimitPublishes, type AuthorizePublishHandler } from './rate-limited-publish.js';

function setup(rate: number, maxDelayMs = 10_000) {
  let t = 0;
  const timers: { at: number; run: () => void }[] = [];
  const port: TimerPort = {
    setTimeout: (run, ms) => timers.push({ at: t + ms, run }),
    clearTimeout: () => undefined,
  };
  const advance = (ms: number): void => {
    t += ms;
    for (const timer of timers.splice(0).sort((a, b) => a.at - b.at)) {
      if (timer.at <= t) timer.run();
      else timers.push(timer);
    }
  };
  const metrics = createMqttMetrics(new Registry());
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const passed: number[] = [];
  const inner: AuthorizePublishHandler = (_client, packet, callback) => {
    passed.push(packet.messageId ?? -1);
    callback(null);
  };
  const limit = new DeviceRateLimit({ ratePerSecond: rate, burst: 2, maxDelayMs, now: () => t, timers: port });
  const handler = rateLimitPublishes(inner, { limit, ratePerSecond: rate, metrics, logger, now: () => t });
  return { handler, advance, passed, metrics, lines };
}

const client = (id: string, closed = false): Client => ({ id, closed }) as unknown as Client;
const packet = (messageId: number): PublishPacket => ({ cmd: 'publish', topic: 'tg/v1/dev/x/up', payload: Buffer.alloc(0), qos: 1, retain: false, dup: false, messageId });

describe('rateLimitPublishes', () => {
  it('passes publishes within the rate at once and delays the rest in order; acknowledgements follow', async () => {
    const { handler, advance, passed, metrics, lines } = setup(10);
    const acked: number[] = [];
    for (let id = 1; id <= 6; id++) handler(client('dev-1'), packet(id), (error) => (error ? undefined : acked.push(id)));
    expect(passed).toEqual([1, 2]);
    advance(500);
    expect(passed).toEqual([1, 2, 3, 4, 5, 6]);
    expect(acked).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await metrics.deviceRateLimited.get()).values.find((v) => v.labels.action === 'delayed')?.value).toBe(4);
    // One log line for the burst of delays, not one per message.
    expect(lines.filter((l) => l['event'] === 'device_rate_limited')).toHaveLength(1);
  });

  it('refuses (no PUBACK, the connection closes) what would wait too long, and skips messages of a closed connection', () => {
    const { handler, advance, passed } = setup(1, 2000);
    const errors: string[] = [];
    const onDone = (error?: Error | null): void => {
      if (error) errors.push(error.message);
    };
    for (let id = 1; id <= 6; id++) handler(client('dev-2'), packet(id), onDone);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/over its rate limit/);
    handler(client('dev-3', true), packet(7), onDone);
    handler(client('dev-3', true), packet(8), onDone);
    handler(client('dev-3', true), packet(9), onDone);
    advance(5000);
    // dev-3 was within its own burst; dev-2's delayed ones came after.
    expect(passed).toEqual([1, 2, 7, 8, 3, 4]);
    expect(errors.at(-1)).toMatch(/connection closed while the message waited/);
  });

  it('is the inner handler itself when the limit is off', () => {
    const inner: AuthorizePublishHandler = (_c, _p, callback) => callback(null);
    const metrics = createMqttMetrics(new Registry());
    expect(rateLimitPublishes(inner, { limit: new DeviceRateLimit({ ratePerSecond: 0 }), ratePerSecond: 0, metrics, logger: pino({ level: 'silent' }) })).toBe(inner);
  });
});
