/** Wall-clock time, passed in so that tests control it (the gateway never reads Date.now() directly). */
export interface Clock {
  /** Milliseconds since the Unix epoch (UTC). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
