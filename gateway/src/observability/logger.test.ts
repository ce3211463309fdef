import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TrialgateError } from '@trialgate/firmware-protocol';
import { componentLogger, createLogger } from './logger.js';
import { REDACTED, redactLogFields } from './redact-log-fields.js';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('never writes readings, bytes, keys or tokens, at any depth, in fields, bindings or errors', () => {
    const out = capture();
    const root = createLogger({ destination: out.stream });
    const log = componentLogger(root, 'storage').child({ apiToken: 'tgt_secret_1' });
    log.info(
      {
        deviceId: 'dev-1',
        original: new Uint8Array([1, 2, 3]),
        nested: { data: { bpm: 7272 }, privateKey: 'AAAA', bytes: Buffer.from('x'), authorization: 'Bearer abc' },
        list: [{ token: 'tgt_secret_2' }],
      },
      'appended',
    );
    log.error(
      { err: new TrialgateError('E_X', 'bad', { details: { payload: 'reading', seq: 3 }, cause: new Error('io') }) },
      'failed',
    );
    const text = JSON.stringify(out.lines());
    for (const secret of ['tgt_secret_1', 'tgt_secret_2', 'AAAA', 'Bearer abc', '7272', 'reading']) {
      expect(text).not.toContain(secret);
    }
    const [first, second] = out.lines();
    expect(first).toMatchObject({ component: 'storage', deviceId: 'dev-1', original: REDACTED, msg: 'appended' });
    expect(second).toMatchObject({ err: { code: 'E_X', details: { seq: 3, payload: REDACTED } } });
  });

  it('replaces byte arrays by their length even under harmless names', () => {
    expect(redactLogFields({ digest: new Uint8Array(32) })).toEqual({ digest: '[32 bytes]' });
  });
});
