import { pino, type Logger } from 'pino';

/**
 * The simulator's pino logger, JSON on standard error by default (standard output carries the summary).
 * Device keys and reading values are never logged: log lines name devices, seqs, outcomes and reasons only.
 */
export function createSimLogger(level = 'warn', fd: 1 | 2 = 2): Logger {
  return pino({ level }, pino.destination(fd));
}
