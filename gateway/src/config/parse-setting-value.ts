/**
 * Turns one raw setting value (a flag or environment string, or a config-file scalar) into its typed value,
 * or a ConfigError that names the setting and where the value came from.
 */
import { ConfigError } from './config-error.js';
import type { LogLevel } from './gateway-config.js';
import type { SettingKind } from './config-settings.js';
import { parseSerialPortSpecs } from '../serial/serial-port-spec.js';

export type SettingValue = string | number | null;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const BYTE_UNITS: Readonly<Record<string, number>> = { b: 1, kib: 1024, kb: 1000, mib: 1024 * 1024, mb: 1_000_000 };

/** Largest duration we accept (a day): anything longer is a typo, and it must fit a setTimeout. */
const MAX_DURATION_MS = 86_400_000;
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** Issue 7: a rate above this is a typo (the whole gateway ingests about 10,000 messages/s). */
const MAX_RATE_PER_SECOND = 1_000_000;
const RATE_UNITS_PER_SECOND: Readonly<Record<string, number>> = { s: 1, sec: 1, min: 1 / 60, m: 1 / 60, h: 1 / 3600 };

/**
 * C2SP tlog-checkpoint: the origin "SHOULD be a schema-less URL containing neither Unicode spaces nor plus
 * (U+002B)"; it is also the checkpoint's signed-note key name, which may not contain spaces or '+'. We accept
 * printable ASCII without those two, so the origin is one unambiguous token everywhere it appears.
 */
const ORIGIN_PATTERN = /^[\x21-\x2A\x2C-\x7E]{1,255}$/;

export function parseSettingValue(kind: SettingKind, raw: SettingValue, where: string): string | number | null {
  const fail = (expected: string): never => {
    throw new ConfigError('E_CONFIG_INVALID', `${where}: ${JSON.stringify(raw)} is not ${expected}`, {
      details: { where, expected },
    });
  };
  switch (kind) {
    case 'text':
    case 'path':
    case 'host': {
      if (typeof raw !== 'string' || raw.trim() === '') return fail('a non-empty text');
      return raw;
    }
    case 'origin': {
      if (typeof raw !== 'string' || !ORIGIN_PATTERN.test(raw)) {
        return fail('a log origin (1-255 printable ASCII characters, no spaces, no "+", e.g. trial.example/site-042/gw-1)');
      }
      return raw;
    }
    case 'port': {
      const port = toInteger(raw);
      if (port === null || port < 0 || port > 65_535) return fail('a port number (0-65535; 0 picks a free port)');
      return port;
    }
    case 'count': {
      const count = toInteger(raw);
      if (count === null || count < 0 || count > 1_000_000_000) return fail('a whole number >= 0');
      return count;
    }
    case 'duration': {
      const ms = toScaled(raw, DURATION_UNITS_MS, 'ms');
      if (ms === null || ms < 0 || ms > MAX_DURATION_MS) return fail('a duration (milliseconds, or e.g. 500ms, 10s, 5m, 1h; at most 24h)');
      return ms;
    }
    case 'bytes': {
      const bytes = toScaled(raw, BYTE_UNITS, 'b');
      if (bytes === null || bytes < 64 || bytes > MAX_MESSAGE_BYTES) return fail('a size in bytes between 64 and 1MiB (e.g. 16384 or 16KiB)');
      return bytes;
    }
    case 'redis-url': {
      if (raw === null || raw === '' || raw === 'none') return null;
      if (typeof raw !== 'string') return fail('a redis:// or rediss:// URL');
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return fail('a redis:// or rediss:// URL');
      }
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return fail('a redis:// or rediss:// URL');
      return raw;
    }
    case 'serial-ports': {
      if (raw === null || raw === '' || raw === 'none') return null;
      if (typeof raw !== 'string') return fail('a comma-separated list of serial ports, PATH[:BAUD]');
      const list = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
      try {
        return parseSerialPortSpecs(list).map((spec) => `${spec.path}:${spec.baudRate}`).join(',');
      } catch (error) {
        return fail(`a list of serial ports, PATH[:BAUD] (${error instanceof Error ? error.message : 'invalid'})`);
      }
    }
    case 'switch': {
      const text = String(raw ?? '').trim().toLowerCase();
      if (['on', 'true', 'yes', '1'].includes(text)) return 'on';
      if (['off', 'false', 'no', '0', ''].includes(text)) return 'off';
      return fail('on or off');
    }
    case 'rate': {
      // Issue 7: `200/s`, `600/min`, `200` (per second); 0 turns the limit off.
      const perSecond = toRate(raw);
      if (perSecond === null || perSecond < 0 || perSecond > MAX_RATE_PER_SECOND) {
        return fail(`a rate (e.g. 200/s, 600/min, or a number per second; 0 = no limit; at most ${MAX_RATE_PER_SECOND}/s)`);
      }
      return perSecond;
    }
    case 'log-level': {
      if (typeof raw !== 'string' || !(LOG_LEVELS as readonly string[]).includes(raw)) return fail(`one of ${LOG_LEVELS.join(', ')}`);
      return raw;
    }
  }
}

/** Issue 7: a plain number per second, or `<number>/<s|min|h>`. */
function toRate(raw: SettingValue): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw !== 'string') return null;
  const match = /^(\d+(?:\.\d+)?)\s*(?:\/\s*([a-zA-Z]+))?$/.exec(raw.trim());
  if (match === null) return null;
  const factor = RATE_UNITS_PER_SECOND[(match[2] ?? 's').toLowerCase()];
  if (factor === undefined) return null;
  return Number(match[1]) * factor;
}

function toInteger(raw: SettingValue): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : null;
  if (typeof raw === 'string' && /^\d{1,10}$/.test(raw.trim())) return Number(raw.trim());
  return null;
}

/** A plain number (in the base unit) or `<number><unit>`. */
function toScaled(raw: SettingValue, units: Readonly<Record<string, number>>, base: string): number | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : null;
  if (typeof raw !== 'string') return null;
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(raw.trim());
  if (match === null) return null;
  const factor = units[(match[2] ?? '').toLowerCase() || base];
  if (factor === undefined) return null;
  const value = Number(match[1]) * factor;
  return Number.isSafeInteger(value) ? value : Math.round(value);
}
