import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readableLogLine } from './readable-log-line.js';

describe('readableLogLine', () => {
  it('shows pino lines as level, component, message and error', () => {
    expect(readableLogLine('{"level":50,"component":"chain-anchorer","msg":"RPC call failed","err":{"code":"E_ANCHORING_RPC","message":"ECONNREFUSED"}}'))
      .toBe('ERROR [chain-anchorer] RPC call failed: E_ANCHORING_RPC ECONNREFUSED');
    expect(readableLogLine('{"level":"info","component":"mqtt","msg":"device connected"}')).toBe('INFO [mqtt] device connected');
  });

  it('shows anything else as it is, clipped', () => {
    expect(readableLogLine('Listening on 127.0.0.1:8545')).toBe('Listening on 127.0.0.1:8545');
    expect(readableLogLine('{"no":"msg"}')).toBe('{"no":"msg"}');
    expect(readableLogLine('x'.repeat(1000))).toHaveLength(403);
  });

  it('never throws, whatever the line', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (line) => {
      expect(typeof readableLogLine(line)).toBe('string');
    }));
  });
});
