/**
 * Shared by `trialgate devices` and `trialgate quarantine`: opens the data directory (directly, or through
 * the running gateway's admin socket), runs one operation, prints errors as `error: <message> [<code>]` on
 * stderr and sets the exit status: 0 done, 1 refused or failed.
 */
import { isTrialgateError } from '@trialgate/firmware-protocol';
import type { AdminOperations } from '@trialgate/gateway';

export async function withAdmin(dataDir: string | undefined, holder: string, body: (operations: AdminOperations) => Promise<void>): Promise<void> {
  if (dataDir === undefined || dataDir === '') {
    fail('the data directory is required: --data DIR (or TRIALGATE_DATA)');
    return;
  }
  let opened;
  try {
    // Loaded only when a command runs, not when the CLI starts.
    const { openAdmin, systemClock } = await import('@trialgate/gateway');
    opened = await openAdmin({ dataDir, clock: systemClock, holder });
  } catch (error) {
    report(error);
    return;
  }
  try {
    await body(opened.operations);
  } catch (error) {
    report(error);
  } finally {
    await opened.close();
  }
}

export function report(error: unknown): void {
  if (isTrialgateError(error)) {
    process.stderr.write(`error: ${error.message} [${error.code}]\n`);
    const problems = error.details['problems'];
    if (Array.isArray(problems)) {
      for (const problem of problems as { line?: unknown; message?: unknown }[]) {
        process.stderr.write(`  line ${String(problem.line)}: ${String(problem.message)}\n`);
      }
    }
  } else {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
}

export function fail(message: string): void {
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = 1;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}

export function dataOption(value: string | undefined): string | undefined {
  return value ?? process.env['TRIALGATE_DATA'];
}
