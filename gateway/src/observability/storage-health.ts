/**
 * Whether the log takes writes now, and if not, why (issue 7, "Outages": on a full disk the gateway "stops
 * acknowledging, says why, keeps what it has, and resumes when space returns").
 *
 * The durable log already refuses a failed group commit whole (nothing acknowledged, nothing before it
 * touched) and resumes by itself (docs/storage.md, "Appends"). What was missing is saying so where an operator
 * looks: this tracks the writes the ingestion path makes and reports
 *   - a log line at each change (error when writes start failing, with the code, e.g. E_STORAGE_NO_SPACE;
 *     info when they succeed again, with how long and how many failed),
 *   - the gauge `trialgate_storage_writable` (1 or 0),
 *   - `/healthz`: `status: "degraded"` and `storage: {writable, error, since, failures}`.
 * `E_STORAGE_OVERLOADED` (too many appends queued, back-pressure) and `E_STORAGE_CLOSED` (stopping) are not
 * storage failures and change nothing here.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { GatewayLog } from '../storage/gateway-log.js';
import type { Logger } from './logger.js';

export interface StorageHealthReport {
  readonly writable: boolean;
  /** The code of the failure, e.g. `E_STORAGE_NO_SPACE`, while not writable. */
  readonly error: string | null;
  /** ISO 8601 time of the first failure of this episode, while not writable. */
  readonly since: string | null;
  /** Writes refused in this episode. */
  readonly failures: number;
}

export interface StorageHealthDependencies {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry?: Registry;
}

const NOT_A_STORAGE_FAILURE = new Set(['E_STORAGE_OVERLOADED', 'E_STORAGE_CLOSED', 'E_INGEST_CLOSED']);

export class StorageHealth {
  readonly #deps: StorageHealthDependencies;
  readonly #gauge: Gauge | null;
  #failingSince: number | null = null;
  #error: string | null = null;
  #failures = 0;

  constructor(deps: StorageHealthDependencies) {
    this.#deps = deps;
    const registry = deps.registry;
    this.#gauge =
      registry === undefined
        ? null
        : ((registry.getSingleMetric('trialgate_storage_writable') as Gauge | undefined) ??
          new Gauge({ name: 'trialgate_storage_writable', help: 'Whether the log takes writes now (1) or refuses them (0, see /healthz)', registers: [registry] }));
    this.#gauge?.set(1);
  }

  get writable(): boolean {
    return this.#failingSince === null;
  }

  /** A write was refused with `error`. */
  failed(error: unknown): void {
    const code = codeOf(error);
    if (NOT_A_STORAGE_FAILURE.has(code)) return;
    this.#failures += 1;
    this.#error = code;
    if (this.#failingSince !== null) return;
    this.#failingSince = this.#deps.clock.now();
    this.#gauge?.set(0);
    this.#deps.logger.error(
      { event: 'storage_not_writable', code },
      'the log refuses writes: devices get no acknowledgement until it takes them again (nothing acknowledged is lost)',
    );
  }

  /** A write succeeded. */
  succeeded(): void {
    if (this.#failingSince === null) return;
    const failures = this.#failures;
    const seconds = Math.max(0, (this.#deps.clock.now() - this.#failingSince) / 1000);
    this.#failingSince = null;
    this.#error = null;
    this.#failures = 0;
    this.#gauge?.set(1);
    this.#deps.logger.info({ event: 'storage_writable', failures, seconds }, 'the log takes writes again');
  }

  report(): StorageHealthReport {
    return {
      writable: this.#failingSince === null,
      error: this.#error,
      since: this.#failingSince === null ? null : new Date(this.#failingSince).toISOString(),
      failures: this.#failures,
    };
  }
}

/**
 * The log as the ingestion path sees it, with each write's outcome told to `health`. One `then` per write;
 * nothing else changes.
 */
export function watchLogWrites(log: GatewayLog, health: StorageHealth): GatewayLog {
  const ok = (): void => health.succeeded();
  const failed = (error: unknown): void => health.failed(error);
  return {
    append: (entry, claim) => {
      const appended = log.append(entry, claim);
      appended.then(ok, failed);
      return appended;
    },
    quarantine: (input) => {
      const recorded = log.quarantine(input);
      recorded.then(ok, failed);
      return recorded;
    },
    size: () => log.size(),
    readEntry: (index) => log.readEntry(index),
    onCommitted: (listener) => log.onCommitted(listener),
    close: () => log.close(),
  };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'E_STORAGE_WRITE';
}
