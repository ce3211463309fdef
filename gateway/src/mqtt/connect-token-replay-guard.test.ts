import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectTokenReplayGuard } from './connect-token-replay-guard.js';

const id = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? n : 0));

describe('ConnectTokenReplayGuard', () => {
  it('accepts a token once, also across a restart, until its window has passed', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tg-tokens-')), 'connect-tokens.sqlite');
    const guard = ConnectTokenReplayGuard.open(file, 1_000);
    expect(await Promise.all([guard.accept(id(1), 5_000), guard.accept(id(1), 5_000), guard.accept(id(2), 2_000)])).toEqual([true, false, true]);
    guard.close();

    const reopened = ConnectTokenReplayGuard.open(file, 3_000);
    // id(2) expired at 2,000 and was forgotten on open; id(1) is still remembered.
    expect(reopened.size).toBe(1);
    expect(await reopened.accept(id(1), 5_000)).toBe(false);
    reopened.prune(6_000);
    expect(reopened.size).toBe(0);
    reopened.close();
  });

  it('in memory, claims at once so two concurrent connects with one token cannot both win', async () => {
    const guard = ConnectTokenReplayGuard.inMemory();
    const results = await Promise.all([guard.accept(id(9), 10), guard.accept(id(9), 10)]);
    expect(results.sort()).toEqual([false, true]);
  });
});
