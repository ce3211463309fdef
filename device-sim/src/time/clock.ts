/**
 * The clock port: milliseconds since the Unix epoch (UTC). Same shape as the gateway's `Clock`, declared
 * here because the simulator depends on no gateway code.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that tests move by hand. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function createManualClock(startMs: number): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}

export interface ScaledClockParameters {
  /** The simulated time at the moment the clock is created (default: the base clock's now). */
  readonly startMs?: number;
  /** Simulated milliseconds per real millisecond (1 = real time, 60 = a simulated hour per real minute). */
  readonly speed: number;
  /** The real clock it follows (default: `systemClock`). */
  readonly base?: Clock;
}

/**
 * Simulated time that runs `speed` times faster than the base clock, so a day of a trial passes in minutes.
 * Monotonic as long as the base clock is.
 */
export function createScaledClock(parameters: ScaledClockParameters): Clock {
  const base = parameters.base ?? systemClock;
  const realStart = base.now();
  const simStart = parameters.startMs ?? realStart;
  const { speed } = parameters;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be positive, got ${speed}`);
  return { now: () => Math.floor(simStart + (base.now() - realStart) * speed) };
}

/** A monotonic real-time source for latencies (PUBACK round trips), never the simulated clock. */
export type Monotonic = () => number;

export const performanceNow: Monotonic = () => performance.now();
