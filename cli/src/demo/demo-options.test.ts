import { describe, expect, it } from 'vitest';
import { DemoError } from './demo-error.js';
import { parseDemoOptions } from './demo-options.js';

describe('parseDemoOptions', () => {
  it('defaults to 60 s, 20 devices at 2.5 readings/s each, demo-out under the working directory, Redis not named', () => {
    expect(parseDemoOptions({}, {}, '/work')).toEqual({
      durationS: 60,
      devices: 20,
      rate: 50,
      outDir: '/work/demo-out',
      redisUrl: undefined,
      faults: false,
    });
  });

  it('takes the flags, a rate with or without /s, and an absolute --out as it is', () => {
    const options = parseDemoOptions({ duration: '15', devices: '8', rate: '30/s', out: '/tmp/x', faults: true }, {}, '/work');
    expect(options).toMatchObject({ durationS: 15, devices: 8, rate: 30, outDir: '/tmp/x', faults: true });
    expect(parseDemoOptions({ devices: '8' }, {}, '/w').rate).toBe(20);
  });

  it('names Redis by --redis first, then REDIS_URL; an empty REDIS_URL is not a name', () => {
    expect(parseDemoOptions({ redis: 'redis://a:1' }, { REDIS_URL: 'redis://b:2' }, '/').redisUrl).toBe('redis://a:1');
    expect(parseDemoOptions({}, { REDIS_URL: 'redis://b:2' }, '/').redisUrl).toBe('redis://b:2');
    expect(parseDemoOptions({}, { REDIS_URL: '  ' }, '/').redisUrl).toBeUndefined();
  });

  it.each([
    [{ duration: '0' }, '--duration'],
    [{ duration: 'ten' }, '--duration'],
    [{ duration: '-5' }, '--duration'],
    [{ devices: '2.5' }, '--devices'],
    [{ devices: '5000' }, '--devices'],
    [{ rate: '0' }, '--rate'],
    [{ redis: 'localhost:6379' }, '--redis'],
  ])('refuses %o, naming the flag', (flags, flag) => {
    expect(() => parseDemoOptions(flags, {}, '/')).toThrow(DemoError);
    expect(() => parseDemoOptions(flags, {}, '/')).toThrow(flag);
  });
});
