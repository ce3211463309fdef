/**
 * Appending to a durable store the way a busy broker keeps it: a fixed number of appends outstanding, a new one
 * launched as each settles (the log-store, memory and sponsor suites fill their stores this way).
 */
import type { LogEntry } from '@trialgate/proof-formats';

/** What the helper needs of a store's log (`LogStore['log']` is one). */
export interface AppendTarget {
  append(entry: LogEntry, claim: NumberedAppend['claim']): Promise<unknown>;
}

export interface NumberedAppend {
  readonly entry: LogEntry;
  readonly claim: { readonly deviceId: string; readonly seq: number };
}

/**
 * Appends the entries numbered [from, to), each built by `entryAt`, with at most `inFlight` outstanding. After
 * a failure no more are launched; the first failure is thrown once the outstanding ones have settled.
 */
export async function appendInFlight(
  log: AppendTarget,
  range: { readonly from: number; readonly to: number; readonly inFlight: number },
  entryAt: (i: number) => NumberedAppend,
): Promise<void> {
  const { to, inFlight } = range;
  let next = range.from;
  let failure: unknown = null;
  if (next >= to) return;
  await new Promise<void>((resolve) => {
    let running = 0;
    const launch = (): void => {
      while (running < inFlight && next < to && failure === null) {
        const { entry, claim } = entryAt(next);
        next += 1;
        running += 1;
        log.append(entry, claim).then(
          () => {
            running -= 1;
            // Done when nothing is outstanding and nothing more will be launched (the range is out, or one failed).
            if (running === 0 && (next >= to || failure !== null)) resolve();
            else launch();
          },
          (error: unknown) => {
            failure ??= error;
            running -= 1;
            if (running === 0) resolve();
          },
        );
      }
    };
    launch();
  });
  if (failure !== null) throw failure;
}
