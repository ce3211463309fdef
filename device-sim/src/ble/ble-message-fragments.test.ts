import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BleMessageCollector, fragmentBleMessage } from './ble-message-fragments.js';

describe('message-service fragments, device side', () => {
  it('have the documented layout and round-trip', () => {
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
    expect(fragmentBleMessage(Uint8Array.of(7, 8), 20).map(hex)).toStrictEqual(['c002000708']);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.integer({ min: 20, max: 244 }), (message, size) => {
        const collector = new BleMessageCollector();
        const results = fragmentBleMessage(message, size).map((f) => collector.push(f));
        expect(results.at(-1)).toStrictEqual(message);
        expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the collector never throws and never returns more than was announced on arbitrary writes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 50 }), (fragments) => {
        const collector = new BleMessageCollector();
        for (const fragment of fragments) {
          const message = collector.push(fragment);
          if (message !== null) expect(message.length).toBeLessThanOrEqual(0xffff);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
