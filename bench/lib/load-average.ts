import os from 'node:os';

/** The 1, 5 and 15 minute load averages, rounded to 0.01: how busy the machine was around a measurement. */
export type LoadAverage = readonly [number, number, number];

export function loadAverage(): LoadAverage {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg().map((x) => Math.round(x * 100) / 100);
  return [one, five, fifteen];
}
