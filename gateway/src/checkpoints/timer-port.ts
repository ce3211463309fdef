/** Timers, passed in (like the clock) so tests drive intervals without waiting. */
export interface TimerPort {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: TimerPort = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending checkpoint or retry never keeps the process alive on its own.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
