/**
 * The gateway's structured logger (pino, JSON lines): one root per process, one child per component
 * (`componentLogger(root, 'storage')`), so every line says where it comes from.
 *
 * Every object logged, and every binding, goes through `redactLogFields`: readings, message bytes, keys and
 * tokens cannot reach a line, whatever a caller passes (redacted by construction, not by path lists).
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { redactLogFields } from './redact-log-fields.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Default `info`; `silent` for tests. */
  readonly level?: LevelWithSilent;
  /** Where lines go (default stdout); tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
  /** Fields on every line, e.g. the log origin. */
  readonly base?: Readonly<Record<string, string | number>>;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { ...(options.base ?? {}) },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Errors are plain data through redactLogFields (their details may name a device, never a reading).
    serializers: { err: (error: unknown) => redactLogFields(error) },
    formatters: {
      level: (label: string) => ({ level: label }),
      bindings: (bindings: Record<string, unknown>) => redactLogFields(bindings) as Record<string, unknown>,
      log: (object: Record<string, unknown>) => redactLogFields(object) as Record<string, unknown>,
    },
  };
  const root = options.destination === undefined ? pino(settings) : pino(settings, options.destination);
  // pino's `formatters.bindings` applies to the root only; children (which inherit from the root by
  // prototype) get their bindings through this override, so they are redacted too.
  const originalChild = root.child;
  const redactingChild = function (this: Logger, bindings: Record<string, unknown>, childOptions?: object) {
    return originalChild.call(this, redactLogFields(bindings) as Record<string, unknown>, childOptions);
  };
  Object.defineProperty(root, 'child', { value: redactingChild, writable: true, configurable: true });
  return root;
}

/** A child logger for one component (`storage`, `checkpointer`, `anchor-outbox`, `api`, `broker`, ...). */
export function componentLogger(root: Logger, component: string): Logger {
  return root.child({ component });
}

/** A logger that writes nothing, for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return createLogger({ level: 'silent' });
}
