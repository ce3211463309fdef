/**
 * CPU time per thread, from Linux's /proc: `schedstat` (nanoseconds on a CPU) for each task of a process.
 * Node 20 names all its threads "node", so the benchmark tells them apart by what they did: the main thread
 * is the process id; worker threads are the tasks a `startGateway` call added; threads that made write
 * system calls meanwhile (`/proc/.../io` syscw) are libuv's thread pool (file writes and fsyncs); the rest
 * are V8's helper threads (parallel scavenges, concurrent marking and sweeping, compilation). Elsewhere than
 * Linux nothing is measured (empty snapshots).
 */
import fs from 'node:fs';

export type ThreadCpu = ReadonlyMap<number, number>;

function readNs(file: string): number | null {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const ns = Number(text.split(' ')[0]);
    return Number.isFinite(ns) ? ns : null;
  } catch {
    return null;
  }
}

/** Nanoseconds on a CPU so far, per thread id of `pid` (default: this process). */
export function threadCpu(pid: number = process.pid): ThreadCpu {
  const out = new Map<number, number>();
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    const ns = readNs(`/proc/${pid}/task/${task}/schedstat`);
    if (ns !== null) out.set(Number(task), ns);
  }
  return out;
}

/** Write-type system calls so far, per thread id of `pid` (default: this process). */
export function threadWrites(pid: number = process.pid): ThreadCpu {
  const out = new Map<number, number>();
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    try {
      const match = /^syscw:\s*(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/task/${task}/io`, 'utf8'));
      if (match?.[1] !== undefined) out.set(Number(task), Number(match[1]));
    } catch {
      // A thread that ended, or no io accounting: not counted.
    }
  }
  return out;
}

/** Nanoseconds each thread ran between two snapshots (threads that ended meanwhile are lost: none here). */
export function threadCpuDelta(before: ThreadCpu, after: ThreadCpu): Map<number, number> {
  const out = new Map<number, number>();
  for (const [tid, ns] of after) out.set(tid, ns - (before.get(tid) ?? 0));
  return out;
}

export function sumOf(delta: ReadonlyMap<number, number>, tids?: Iterable<number>): number {
  let total = 0;
  if (tids === undefined) {
    for (const ns of delta.values()) total += ns;
  } else {
    for (const tid of tids) total += delta.get(tid) ?? 0;
  }
  return total;
}

/** The ids of threads in `after` that were not in `before`. */
export function newThreads(before: ThreadCpu, after: ThreadCpu): number[] {
  return [...after.keys()].filter((tid) => !before.has(tid));
}
