/**
 * `--serial /dev/ttyUSB0[:BAUD]`: a port path and its baud rate (default 115200, 8N1). The baud rate is
 * whatever follows the last ':' when that is all digits, so Windows (`COM3:9600`) and paths with ':' work.
 */
import { SerialError } from './serial-error.js';

export interface SerialPortSpec {
  readonly path: string;
  readonly baudRate: number;
}

export const DEFAULT_SERIAL_BAUD_RATE = 115_200;

/** The rates UARTs and USB-serial bridges support (termios B* constants up to 4 Mbit/s). */
export const STANDARD_BAUD_RATES: readonly number[] = [
  1200, 2400, 4800, 9600, 19_200, 38_400, 57_600, 115_200, 230_400, 460_800, 500_000, 576_000, 921_600, 1_000_000, 1_152_000,
  1_500_000, 2_000_000, 2_500_000, 3_000_000, 3_500_000, 4_000_000,
];

export function parseSerialPortSpec(text: string): SerialPortSpec {
  const trimmed = text.trim();
  const match = /^(.+?)(?::(\d+))?$/.exec(trimmed);
  const path = match?.[1];
  if (match === null || path === undefined || path === '' || path.length > 1024 || /[\0\n]/.test(path)) {
    throw new SerialError('E_SERIAL_SPEC', `--serial ${JSON.stringify(text.slice(0, 80))} is not PATH[:BAUD], e.g. /dev/ttyUSB0:115200`);
  }
  const baudRate = match[2] === undefined ? DEFAULT_SERIAL_BAUD_RATE : Number(match[2]);
  if (!STANDARD_BAUD_RATES.includes(baudRate)) {
    throw new SerialError('E_SERIAL_SPEC', `--serial ${path}: baud rate ${match[2] ?? ''} is not a standard rate (${STANDARD_BAUD_RATES.join(', ')})`, {
      details: { path, baudRate },
    });
  }
  return { path, baudRate };
}

/** Parses every `--serial` value; the same port twice is refused. */
export function parseSerialPortSpecs(values: readonly string[]): SerialPortSpec[] {
  const specs = values.map(parseSerialPortSpec);
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.path)) throw new SerialError('E_SERIAL_DUPLICATE_PORT', `--serial ${spec.path} is given twice`, { details: { path: spec.path } });
    seen.add(spec.path);
  }
  return specs;
}
