/**
 * The demo's record of the processes it started (`processes.json`: name, pid, command line). The demo stops
 * every child itself, on any exit it can see (end, Ctrl-C, a child dying, an error). Only a demo killed
 * outright (SIGKILL, a crash of node itself) cannot; the next run then finds that run's leftovers here and
 * stops them, after checking on Linux that the pid still runs the very command line recorded (a pid can be
 * reused by an unrelated process).
 */
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

export interface ProcessRecord {
  readonly name: string;
  readonly pid: number;
  readonly argv: readonly string[];
}

export class ProcessTable {
  readonly #file: string;
  readonly #records = new Map<number, ProcessRecord>();

  constructor(file: string) {
    this.#file = file;
  }

  add(record: ProcessRecord): void {
    this.#records.set(record.pid, record);
    this.#write();
  }

  remove(pid: number): void {
    if (this.#records.delete(pid)) this.#write();
  }

  get records(): readonly ProcessRecord[] {
    return [...this.#records.values()];
  }

  #write(): void {
    const temporary = `${this.#file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ demoPid: process.pid, processes: this.records }, null, 2)}\n`);
    renameSync(temporary, this.#file);
  }
}

/**
 * The pid of another demo run that still uses this table (alive, and on Linux still a `trialgate demo`), or
 * null. Its parts are not leftovers: two runs must not share an output directory.
 */
export function runningDemo(file: string, readCommandLine: (pid: number) => string | null = procCommandLine): number | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const pid = (parsed as { demoPid?: unknown }).demoPid;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) return null;
  const commandLine = readCommandLine(pid);
  return commandLine !== null && commandLine.split('\0').includes('demo') ? pid : null;
}

/**
 * Stops what an earlier run recorded and left running. Returns the names of the processes stopped.
 * Attacker-controlled? No: the file is the demo's own, but it is parsed defensively all the same (a
 * half-written or edited file stops nothing).
 */
export function stopLeftovers(file: string, readCommandLine: (pid: number) => string | null = procCommandLine): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null) return [];
  const processes = (parsed as { processes?: unknown }).processes;
  if (!Array.isArray(processes)) return [];
  const stopped: string[] = [];
  for (const item of processes as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const record = item as Partial<ProcessRecord>;
    if (typeof record.pid !== 'number' || !Number.isSafeInteger(record.pid) || record.pid <= 1) continue;
    if (!Array.isArray(record.argv) || !record.argv.every((a) => typeof a === 'string')) continue;
    if (readCommandLine(record.pid) !== record.argv.join('\0')) continue;
    try {
      // Each child was the leader of its own process group.
      process.kill(-record.pid, 'SIGKILL');
      stopped.push(typeof record.name === 'string' ? record.name : `pid ${record.pid}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return stopped;
}

function procCommandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '');
  } catch {
    return null;
  }
}
