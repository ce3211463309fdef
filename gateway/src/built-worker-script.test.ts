import { describe, expect, it } from 'vitest';
import { builtWorkerScript } from './built-worker-script.js';

describe('builtWorkerScript', () => {
  it('takes the built script beside a built module', () => {
    expect(builtWorkerScript('file:///app/gateway/dist/ingest/worker-check-pool.js', 'check-worker.js').href).toBe(
      'file:///app/gateway/dist/ingest/check-worker.js',
    );
  });

  it('takes the built script from dist for a module run from its TypeScript source', () => {
    expect(builtWorkerScript('file:///app/gateway/src/storage/wal-checkpointer.ts', 'wal-checkpoint-worker.js').href).toBe(
      'file:///app/gateway/dist/storage/wal-checkpoint-worker.js',
    );
  });
});
