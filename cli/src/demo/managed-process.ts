/**
 * One child process of the demo: its output goes to its own log file (and a bounded tail in memory, for
 * readiness lines and for the last lines shown when it fails), and it runs in its own process group, so that
 * a Ctrl-C in the terminal reaches only the demo, which then stops its children in order. Stopping signals
 * the whole group, then kills it after a grace period: nothing it started is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { DemoError } from './demo-error.js';

export interface ManagedProcessOptions {
  /** What a user calls this part ("the gateway", "the local chain (anvil)"). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Standard output and error are appended here. */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  readonly error?: string;
}

/** Output kept in memory per process; the log file has all of it. */
const MAX_KEPT_CHARS = 512 * 1024;

export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  /** The command line as started: the command, then its arguments. */
  readonly argv: readonly string[];
  readonly pid: number | undefined;
  readonly exited: Promise<ExitStatus>;
  readonly #child: ChildProcess;
  readonly #log: WriteStream;
  #output = '';
  #stdout = '';
  #status: ExitStatus | null = null;
  #stopRequested = false;
  readonly #listeners = new Set<() => void>();

  private constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.logFile = options.logFile;
    this.argv = [options.command, ...options.args];
    this.#log = createWriteStream(options.logFile, { flags: 'a' });
    this.#log.on('error', () => undefined);
    this.#log.write(`# ${new Date().toISOString()} ${[options.command, ...options.args].join(' ')}\n`);
    this.#child = spawn(options.command, [...options.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C goes to the demo only, which stops the parts in order.
      detached: true,
      env: options.env ?? process.env,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    this.pid = this.#child.pid;
    this.exited = new Promise<ExitStatus>((resolve) => {
      let settled = false;
      const settle = (status: ExitStatus): void => {
        if (settled) return;
        settled = true;
        // Resolved once the log file is complete (closed), so that whoever reads it next sees every line.
        this.#log.once('close', () => {
          this.#status = status;
          resolve(status);
          this.#notify();
        });
        this.#log.end(`# ${new Date().toISOString()} exited: ${describeExit(status)}\n`);
      };
      this.#child.once('error', (error) => settle({ code: null, signal: null, error: error.message }));
      // 'close' (not 'exit'): every byte of its output has been read by then.
      this.#child.once('close', (code, signal) => settle({ code, signal }));
    });
    this.#child.stdout?.on('data', (chunk: Buffer) => this.#take(chunk, true));
    this.#child.stderr?.on('data', (chunk: Buffer) => this.#take(chunk, false));
  }

  static start(options: ManagedProcessOptions): ManagedProcess {
    return new ManagedProcess(options);
  }

  /** Null while it runs. */
  get status(): ExitStatus | null {
    return this.#status;
  }

  /** True once `stop` was called: an exit after that is expected. */
  get stopRequested(): boolean {
    return this.#stopRequested;
  }

  /** Standard output so far (bounded), for commands whose result is printed there. */
  get stdout(): string {
    return this.#stdout;
  }

  /** Standard output and error so far, interleaved (bounded: the newest part). */
  get output(): string {
    return this.#output;
  }

  lastLines(count: number): string[] {
    const lines = this.#output.split('\n').filter((line) => line.trim() !== '');
    return lines.slice(-count);
  }

  /**
   * Resolves with the first match of `pattern` in the output; rejects if the process exits first or the time
   * runs out (`E_DEMO_PART_FAILED`, `E_DEMO_TIMEOUT`).
   */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(this.#output);
        if (match !== null) {
          done();
          resolve(match);
          return true;
        }
        if (this.#status !== null) {
          done();
          reject(new DemoError('E_DEMO_PART_FAILED', `${this.name} exited before it was ready (${describeExit(this.#status)})`, {
            details: { part: this.name, logFile: this.logFile },
          }));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new DemoError('E_DEMO_TIMEOUT', `${this.name} was not ready within ${Math.round(timeoutMs / 1000)} s`, {
          details: { part: this.name, logFile: this.logFile },
        }));
      }, timeoutMs);
      const listener = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      if (!check()) this.#listeners.add(listener);
    });
  }

  /** Sends `signal` to the process group; after `graceMs` kills it. Resolves once it has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<ExitStatus> {
    this.#stopRequested = true;
    if (this.#status !== null) return this.#status;
    this.#signalGroup(signal);
    const timer = setTimeout(() => this.#signalGroup('SIGKILL'), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  /** Synchronous last resort (the demo is exiting): SIGKILL to the whole group. */
  killNow(): void {
    this.#stopRequested = true;
    if (this.#status === null) this.#signalGroup('SIGKILL');
  }

  #signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  }

  #take(chunk: Buffer, isStdout: boolean): void {
    this.#log.write(chunk);
    const text = chunk.toString('utf8');
    this.#output = keepNewest(this.#output + text);
    if (isStdout) this.#stdout = keepNewest(this.#stdout + text);
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

function keepNewest(text: string): string {
  return text.length > MAX_KEPT_CHARS ? text.slice(text.length - MAX_KEPT_CHARS) : text;
}

export function describeExit(status: ExitStatus): string {
  if (status.error !== undefined) return `could not be started: ${status.error}`;
  if (status.signal !== null) return `killed by ${status.signal}`;
  return `exit status ${status.code ?? 'unknown'}`;
}
