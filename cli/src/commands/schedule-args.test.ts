import { describe, expect, it } from 'vitest';
import { parseDoseOptions, parseMinutes, parseMinutesList } from './schedule-args.js';

describe('trialgate schedule arguments', () => {
  it('read doses as slot@time or times in slot order', () => {
    expect(parseDoseOptions(['2@20:00'], ['08:00'])).toStrictEqual([
      { slot: 2, at: '20:00' },
      { slot: 1, at: '08:00' },
    ]);
    expect(parseDoseOptions([], [])).toMatch(/give the doses/);
    expect(parseDoseOptions(['x@08:00'], [])).toMatch(/expected/);
  });
  it('read durations in minutes and hours', () => {
    expect(parseMinutes('4h')).toBe(240);
    expect(parseMinutes('90')).toBe(90);
    expect(parseMinutes('1.5h')).toBe(90);
    expect(parseMinutes('soon')).toBeNull();
    expect(parseMinutesList('0m,60m')).toStrictEqual([0, 60]);
    expect(parseMinutesList('none')).toStrictEqual([]);
    expect(parseMinutesList('0m,x')).toBeNull();
  });
});
