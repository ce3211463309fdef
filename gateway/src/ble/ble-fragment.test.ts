import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBleError } from './ble-error.js';
import { fragmentMessage } from './ble-fragment.js';
import { MessageReassembler, type ReassemblyResult } from './ble-reassembler.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const feed = (r: MessageReassembler, fragments: readonly Uint8Array[], now = 0): ReassemblyResult[] => fragments.flatMap((f) => r.push(f, now));

describe('message-service fragments', () => {
  it('have the documented layout: control byte, length on the first, numbers 1, 2, ...', () => {
    const message = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
    const fragments = fragmentMessage(message, 20);
    expect(fragments.map(hex)).toStrictEqual([
      `802800${hex(message.subarray(0, 17))}`,
      `01${hex(message.subarray(17, 36))}`,
      `42${hex(message.subarray(36))}`,
    ]);
    expect(fragmentMessage(Uint8Array.of(7, 8), 20).map(hex)).toStrictEqual(['c002000708']);
  });

  it('round-trip any message at any fragment size', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), fc.integer({ min: 20, max: 300 }), (message, size) => {
        const fragments = fragmentMessage(message, size);
        expect(fragments.every((f) => f.length <= size)).toBe(true);
        const results = feed(new MessageReassembler(4096, 10_000), fragments);
        expect(results.at(-1)).toStrictEqual({ kind: 'message', bytes: message });
        expect(results.slice(0, -1).every((r) => r.kind === 'pending')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuse a lost fragment, an overlong message, a stray continuation, and hand back a message cut by a disconnect', () => {
    const message = Uint8Array.from({ length: 100 }, (_, i) => i);
    const fragments = fragmentMessage(message, 20);
    const r = new MessageReassembler(4096, 10_000);
    const lost = feed(r, [fragments[0] ?? new Uint8Array(), fragments[2] ?? new Uint8Array()]);
    expect(lost.at(-1)).toMatchObject({ kind: 'refused', error: { code: 'E_BLE_FRAGMENT' } });
    expect(feed(r, [fragments[1] ?? new Uint8Array()])[0]).toMatchObject({ kind: 'refused', error: { code: 'E_BLE_FRAGMENT' } });
    expect(feed(new MessageReassembler(50, 10_000), [fragments[0] ?? new Uint8Array()])[0]).toMatchObject({ error: { code: 'E_BLE_MESSAGE_TOO_LARGE' } });
    feed(r, fragments.slice(0, 3));
    expect(r.disconnected()).toMatchObject({ kind: 'refused', error: { code: 'E_BLE_INCOMPLETE' }, partial: message.subarray(0, 55) });
    expect(r.busy).toBe(false);
    // A new first fragment abandons the open message and starts its own.
    const two = feed(r, [...fragments.slice(0, 2), ...fragments]);
    expect(two.map((x) => x.kind)).toStrictEqual(['pending', 'pending', 'refused', ...Array<string>(fragments.length - 1).fill('pending'), 'message']);
  });

  it('time out a message whose fragments stop coming', () => {
    const fragments = fragmentMessage(new Uint8Array(100).fill(1), 20);
    const r = new MessageReassembler(4096, 1000);
    feed(r, fragments.slice(0, 2), 0);
    expect(r.expire(500)).toBeNull();
    expect(r.expire(1500)).toMatchObject({ kind: 'refused', error: { code: 'E_BLE_REASSEMBLY_TIMEOUT' } });
  });

  it('never throw and stay bounded on arbitrary fragments', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 60 }), (fragments) => {
        const r = new MessageReassembler(256, 10_000);
        for (const result of feed(r, fragments)) {
          if (result.kind === 'refused') expect(isBleError(result.error)).toBe(true);
          if (result.kind === 'message') expect(result.bytes.length).toBeLessThanOrEqual(256);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
