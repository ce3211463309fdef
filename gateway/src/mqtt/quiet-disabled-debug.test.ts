import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import './quiet-disabled-debug.js';

interface Logger {
  (...args: unknown[]): void;
  readonly enabled: boolean;
}
interface Factory {
  (namespace: string): Logger;
  readonly quiet?: boolean;
  enable(namespaces: string): void;
  disable(): string;
}

/** The `debug` that aedes' mqtt-packet loads. */
function mqttPacketDebug(): Factory {
  const fromAedes = createRequire(createRequire(import.meta.url).resolve('aedes'));
  return createRequire(fromAedes.resolve('mqtt-packet'))('debug') as Factory;
}

describe('quiet disabled debug loggers (mqtt-packet)', () => {
  it('gives a namespace that is off a logger that does nothing, and one that is on the real logger', () => {
    const createDebug = mqttPacketDebug();
    expect(createDebug.quiet).toBe(true);
    const off = createDebug('tg-quiet-test:off');
    expect(off.enabled).toBe(false);
    expect(() => off('nothing %o', { a: 1 })).not.toThrow();
    const before = createDebug.disable();
    try {
      createDebug.enable('tg-quiet-test:on');
      const on = createDebug('tg-quiet-test:on');
      expect(on.enabled).toBe(true);
      expect(on).not.toBe(off);
    } finally {
      createDebug.enable(before);
    }
  });
});
