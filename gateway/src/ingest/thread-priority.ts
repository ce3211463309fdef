/**
 * Lowers the scheduling priority of the calling thread (Linux: `setpriority` on the thread's own id, found
 * through /proc/thread-self), so that when the check workers and the main thread want the same cores, the
 * main thread, which runs the broker, the log and every PUBACK, goes first (issue 3: PUBACK p99 at 5,000
 * readings/s). The workers' throughput is unchanged while there is spare CPU; under contention they wait a
 * little, and their work is batched anyway. Elsewhere, or without /proc, nothing happens.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** A nice value above the main thread's (0): lower priority, never higher (no privilege needed). */
export const CHECK_WORKER_NICE = 5;

/** Returns the thread id whose priority was lowered, or null when it could not be. */
export function lowerCurrentThreadPriority(nice: number = CHECK_WORKER_NICE): number | null {
  try {
    // "<pid>/task/<tid>": the link names the thread that reads it.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isSafeInteger(tid) || tid <= 0) return null;
    setPriority(tid, nice);
    return tid;
  } catch {
    return null;
  }
}
