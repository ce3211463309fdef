import { describe, expect, it } from 'vitest';
import { describeGatewayLogContract, sampleEntry } from './gateway-log-contract.js';
import { MemoryGatewayLog } from './memory-gateway-log.js';
import { StorageError } from './storage-error.js';

describeGatewayLogContract('MemoryGatewayLog', () => {
  const log = new MemoryGatewayLog();
  return Promise.resolve({ log, cleanup: () => log.close() });
});

describe('MemoryGatewayLog', () => {
  it('fails appends with an injected storage error, and recovers when it is cleared', async () => {
    const log = new MemoryGatewayLog();
    log.injectFailure(new StorageError('E_STORAGE_NO_SPACE', 'disk full'));
    await expect(log.append(sampleEntry())).rejects.toMatchObject({ code: 'E_STORAGE_NO_SPACE' });
    expect(log.size()).toBe(0);
    log.injectFailure(null);
    expect(await log.append(sampleEntry())).toEqual({ status: 'appended', index: 0 });
    await log.close();
  });
});
