/**
 * The processes of one demo run and their lifetimes: every part is started here, recorded in the process
 * table, watched (a long-running part that exits without being asked to is a failure the run reacts to at
 * once), and stopped here, in reverse order of starting, on every way out: the end, Ctrl-C, a failure.
 */
import { ManagedProcess, describeExit, type ExitStatus } from './managed-process.js';
import { DemoError } from './demo-error.js';
import { ProcessTable } from './process-table.js';

export interface CommandResult {
  readonly status: ExitStatus;
  readonly stdout: string;
  readonly output: string;
}

export class DemoSite {
  readonly #table: ProcessTable;
  readonly #env: NodeJS.ProcessEnv;
  readonly #parts: ManagedProcess[] = [];
  readonly #failure: Promise<never>;
  readonly #quit: Promise<never>;
  #fail: (error: DemoError) => void = () => undefined;
  #abort: (error: DemoError) => void = () => undefined;
  #failed: DemoError | null = null;

  constructor(processTableFile: string, env: NodeJS.ProcessEnv) {
    this.#table = new ProcessTable(processTableFile);
    this.#env = env;
    this.#failure = new Promise<never>((_, reject) => {
      this.#fail = reject;
    });
    this.#quit = new Promise<never>((_, reject) => {
      this.#abort = reject;
    });
    // Observed through guard(); never an unhandled rejection.
    this.#failure.catch(() => undefined);
    this.#quit.catch(() => undefined);
  }

  /** The first unexpected exit of a watched part, if any. */
  get failed(): DemoError | null {
    return this.#failed;
  }

  /** Starts a part. `watch`: it should run until the demo stops it; exiting before that fails the run. */
  start(name: string, command: string, args: readonly string[], logFile: string, options: { readonly watch: boolean }): ManagedProcess {
    const part = ManagedProcess.start({ name, command, args, logFile, env: this.#env });
    this.adopt(part, options);
    return part;
  }

  /** Takes over a part started elsewhere (the private Redis): recorded, watched, stopped with the others. */
  adopt(part: ManagedProcess, options: { readonly watch: boolean }): void {
    this.#parts.push(part);
    if (part.pid !== undefined) {
      const pid = part.pid;
      this.#table.add({ name: part.name, pid, argv: part.argv });
      void part.exited.then(() => this.#table.remove(pid));
    }
    if (options.watch) {
      void part.exited.then((status) => {
        if (part.stopRequested) return;
        const error = new DemoError('E_DEMO_PART_FAILED', `${part.name} stopped unexpectedly (${describeExit(status)})`, {
          details: { part: part.name, logFile: part.logFile },
        });
        this.#failed ??= error;
        this.#fail(error);
      });
    }
  }

  /** The newest part that writes to `logFile`, running or not (its output is kept). */
  partLoggingTo(logFile: string): ManagedProcess | undefined {
    return [...this.#parts].reverse().find((part) => part.logFile === logFile);
  }

  /** A command that runs to its end (devices import, export, verify), bounded in time. */
  async command(name: string, command: string, args: readonly string[], logFile: string, timeoutMs: number): Promise<CommandResult> {
    const part = this.start(name, command, args, logFile, { watch: false });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await this.guard(Promise.race([part.exited, timeout]));
      if (outcome === 'timeout') {
        await part.stop('SIGKILL', 1000);
        throw new DemoError('E_DEMO_TIMEOUT', `${name} did not finish within ${Math.round(timeoutMs / 1000)} s`, { details: { part: name, logFile } });
      }
      return { status: outcome, stdout: part.stdout, output: part.output };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for `promise`, unless a watched part fails or the user quits first (then rejects with that). */
  guard<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.#failure, this.#quit]);
  }

  /** The user asked to quit at once: every guarded wait rejects with `E_DEMO_INTERRUPTED`. */
  quit(reason: string): void {
    this.#abort(new DemoError('E_DEMO_INTERRUPTED', reason));
  }

  /** Parts still running, oldest first. */
  get running(): readonly ManagedProcess[] {
    return this.#parts.filter((part) => part.status === null);
  }

  /**
   * Stops every running part, newest first (devices before the gateway before the chain before Redis), each
   * with SIGTERM and, after `graceMs`, SIGKILL.
   */
  async stopAll(graceMs: number): Promise<void> {
    for (const part of [...this.#parts].reverse()) await part.stop('SIGTERM', graceMs);
  }

  /** Synchronous last resort when the demo itself exits: SIGKILL to every part still running. */
  killAllNow(): void {
    for (const part of this.#parts) part.killNow();
  }
}
