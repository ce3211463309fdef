/**
 * The clock port: milliseconds since the Unix epoch (UTC). Same shape as the gateway's `Clock`, declared here
 * because the anchor service depends on no gateway code.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
