import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectTokenReplayGuard } from './connect-token-replay-guard.js';

const id = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? n : 0));

describe('ConnectTokenReplayGuard', () => {
  it('accepts a token once, also across a restart, until its window has passed', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tg-tokens-')), 'connect-tokens.sqlite');
    let monotonic = 0;
    const options = { monotonicNow: () => monotonic };
    const guard = ConnectTokenReplayGuard.open(file, 1_000, options);
    expect(await Promise.all([guard.accept(id(1), 5_000), guard.accept(id(1), 5_000), guard.accept(id(2), 2_000)])).toEqual([true, false, true]);
    guard.close();

    const reopened = ConnectTokenReplayGuard.open(file, 3_000, options);
    // Both are remembered after the restart (a token is not forgotten on open: issue 7, clock jumps).
    expect(reopened.size).toBe(2);
    expect(await reopened.accept(id(1), 5_000)).toBe(false);
    // Expired on the gateway clock, but not yet kept 10 minutes since the open: still remembered.
    reopened.prune(6_000);
    expect(reopened.size).toBe(2);
    monotonic += 10 * 60_000;
    reopened.prune(6_000);
    expect(reopened.size).toBe(0);
    reopened.close();
    expect(ConnectTokenReplayGuard.open(file, 6_000, options).size).toBe(0);
  });

  it('does not forget a token early when the gateway clock jumps forward, nor across a restart under that clock (issue 7)', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tg-tokens-')), 'connect-tokens.sqlite');
    let monotonic = 0;
    const options = { monotonicNow: () => monotonic };
    const now = 1_767_225_600_000;
    const guard = ConnectTokenReplayGuard.open(file, now, options);
    expect(await guard.accept(id(3), now + 300_000)).toBe(true);
    // The clock jumps an hour ahead; a prune a minute later forgets nothing.
    monotonic += 60_000;
    guard.prune(now + 3_600_000);
    expect(await guard.accept(id(3), now + 300_000)).toBe(false);
    guard.close();
    // A restart while the clock is still ahead: remembered.
    const reopened = ConnectTokenReplayGuard.open(file, now + 3_600_000, options);
    reopened.prune(now + 3_600_000);
    // The clock is right again, 90 s after the token was first used: a replay is refused.
    expect(await reopened.accept(id(3), now + 300_000)).toBe(false);
    reopened.close();
  });

  it('in memory, claims at once so two concurrent connects with one token cannot both win', async () => {
    const guard = ConnectTokenReplayGuard.inMemory();
    const results = await Promise.all([guard.accept(id(9), 10), guard.accept(id(9), 10)]);
    expect(results.sort()).toEqual([false, true]);
  });
});
