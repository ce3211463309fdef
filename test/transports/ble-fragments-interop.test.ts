/**
 * The message service's fragments as docs/ble.md defines them, implemented twice (the gateway's and the
 * simulated device's, written apart): each reassembles what the other cuts, at any ATT value size.
 */
import fc from 'fast-check';
import { BleMessageCollector, fragmentBleMessage } from '@trialgate/device-sim';
import { fragmentMessage, MessageReassembler } from '@trialgate/gateway';
import { describe, expect, it } from 'vitest';

describe('message-service fragments: gateway and device implementations agree', () => {
  it('device fragments reassemble at the gateway, gateway fragments at the device, byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4000 }), fc.integer({ min: 20, max: 512 }), (message, size) => {
        const up = fragmentBleMessage(message, size);
        expect(up.map((f) => Buffer.from(f).toString('hex'))).toStrictEqual(fragmentMessage(message, size).map((f) => Buffer.from(f).toString('hex')));
        const reassembler = new MessageReassembler(8192, 10_000);
        expect(up.flatMap((f) => reassembler.push(f, 0)).at(-1)).toStrictEqual({ kind: 'message', bytes: message });
        const collector = new BleMessageCollector();
        expect(fragmentMessage(message, size).map((f) => collector.push(f)).at(-1)).toStrictEqual(message);
      }),
      { numRuns: 300 },
    );
  });
});
