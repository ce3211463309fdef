/**
 * The service's root logger: pino JSON lines on standard output. No key material can reach it: the key lives
 * only inside the signer's closure, errors are logged as `{ code, message }` (never viem's full error, whose
 * text may carry an RPC URL with its API key), and RPC endpoints are logged redacted (`redactUrl`).
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/resolve-anchor-config.js';

export function createAnchorLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { service: 'trialgate-anchor' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
