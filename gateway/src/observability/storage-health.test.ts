import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../storage/storage-error.js';
import { MemoryGatewayLog } from '../storage/memory-gateway-log.js';
import { StorageHealth, watchLogWrites } from './storage-health.js';

describe('StorageHealth', () => {
  it('says when the log stops taking writes and when it takes them again: log line, gauge, report', async () => {
    let now = Date.UTC(2026, 0, 1);
    const lines: Record<string, unknown>[] = [];
    const registry = new Registry();
    const health = new StorageHealth({
      clock: { now: () => now },
      logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
      registry,
    });
    const gauge = async (): Promise<number | undefined> => (await registry.getSingleMetric('trialgate_storage_writable')?.get())?.values[0]?.value;
    expect(await gauge()).toBe(1);
    health.failed(new StorageError('E_STORAGE_OVERLOADED', 'busy'));
    expect(health.writable).toBe(true);
    health.failed(new StorageError('E_STORAGE_NO_SPACE', 'full'));
    now += 5000;
    health.failed(new StorageError('E_STORAGE_NO_SPACE', 'full'));
    expect(health.report()).toEqual({ writable: false, error: 'E_STORAGE_NO_SPACE', since: '2026-01-01T00:00:00.000Z', failures: 2 });
    expect(await gauge()).toBe(0);
    health.succeeded();
    expect(health.report()).toEqual({ writable: true, error: null, since: null, failures: 0 });
    expect(await gauge()).toBe(1);
    expect(lines.map((l) => l['event'])).toEqual(['storage_not_writable', 'storage_writable']);
    expect(lines[1]).toMatchObject({ failures: 2, seconds: 5 });
  });

  it('watches the writes of a log without changing what they return', async () => {
    const health = new StorageHealth({ clock: { now: () => 0 }, logger: pino({ level: 'silent' }) });
    const log = new MemoryGatewayLog();
    const watched = watchLogWrites(log, health);
    const entry = { receivedAtMs: 1, transport: 'mqtt', deviceId: 'd', contentType: 'cose-sign1', original: new Uint8Array([1]) } as const;
    expect(await watched.append(entry)).toEqual(await Promise.resolve({ status: 'appended', index: 0 }));
    expect(watched.size()).toBe(1);
    expect(watched.readEntry(0)).toEqual(log.readEntry(0));
  });
});
