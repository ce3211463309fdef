/**
 * Parses a `devices import` file: JSON lines, one device per line, `{"id", "public_key"?, "kind",
 * "subject"?, "transports"?}` (public_key in base64; absent or null for a device that cannot sign, issue 6;
 * transports default to the enrolment default). Every bad
 * line is reported with its line number and why; the caller changes nothing unless there are none.
 *
 * Attacker-controlled (in the weak sense: a file handed to a site by a device supplier): each line is parsed
 * on its own and checked field by field; only data, never an exception, comes out.
 */
import { isTrialgateError } from '@trialgate/firmware-protocol';
import type { DeviceTransport } from './device-record.js';
import { decodePublicKeyText } from './public-key-text.js';
import { RegistryError } from './registry-error.js';
import { assertDeviceKind, assertDevicePublicKey, assertRegistryDeviceId, assertSubjectId, assertTransports } from './registry-change.js';

export interface DeviceImportLine {
  readonly line: number;
  readonly id: string;
  readonly kind: string;
  /** Null: the line names no key (a device that cannot sign). */
  readonly publicKey: Uint8Array | null;
  readonly subject: string | null;
  /** Absent when the line does not say: the enrolment default applies. */
  readonly transports?: readonly DeviceTransport[];
}

export interface DeviceImportProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParseDeviceImportReturnType {
  readonly devices: readonly DeviceImportLine[];
  readonly problems: readonly DeviceImportProblem[];
}

/** Bounds, so a wrong file (a disk image, a log) fails fast instead of filling memory. */
export const DEVICE_IMPORT_MAX_LINES = 100_000;
export const DEVICE_IMPORT_MAX_LINE_LENGTH = 4096;

const KNOWN_KEYS = new Set(['id', 'public_key', 'kind', 'subject', 'transports']);

export function parseDeviceImport(text: string): ParseDeviceImportReturnType {
  const devices: DeviceImportLine[] = [];
  const problems: DeviceImportProblem[] = [];
  const firstLineOf = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  if (lines.length > DEVICE_IMPORT_MAX_LINES + 1) {
    return { devices: [], problems: [{ line: DEVICE_IMPORT_MAX_LINES + 1, message: `more than ${DEVICE_IMPORT_MAX_LINES} lines` }] };
  }
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    if (raw.length > DEVICE_IMPORT_MAX_LINE_LENGTH) {
      problems.push({ line, message: `line longer than ${DEVICE_IMPORT_MAX_LINE_LENGTH} characters` });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push({ line, message: 'not valid JSON' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ line, message: 'not a JSON object' });
      return;
    }
    const record = value as Record<string, unknown>;
    const unknown = Object.keys(record).filter((key) => !KNOWN_KEYS.has(key));
    if (unknown.length > 0) {
      problems.push({ line, message: `unknown field(s) ${unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')} (allowed: ${[...KNOWN_KEYS].join(', ')})` });
      return;
    }
    try {
      const id = record['id'];
      assertRegistryDeviceId(id);
      const publicKeyText = record['public_key'] ?? null;
      if (publicKeyText !== null && typeof publicKeyText !== 'string') {
        throw new RegistryError('E_REGISTRY_INVALID', '"public_key" must be a base64 text, or absent (or null) for a device that cannot sign');
      }
      const publicKey = publicKeyText === null ? null : decodePublicKeyText(publicKeyText);
      if (publicKey !== null) assertDevicePublicKey(publicKey);
      const kind = record['kind'];
      assertDeviceKind(kind);
      const subject = record['subject'] ?? null;
      assertSubjectId(subject);
      const transports = record['transports'];
      if (transports !== undefined) assertTransports(transports);
      const earlier = firstLineOf.get(id);
      if (earlier !== undefined) {
        problems.push({ line, message: `device ${id} is also on line ${earlier}` });
        return;
      }
      firstLineOf.set(id, line);
      devices.push({ line, id, kind, publicKey, subject, ...(transports === undefined ? {} : { transports }) });
    } catch (error) {
      problems.push({ line, message: isTrialgateError(error) ? error.message : 'invalid line' });
    }
  });
  return { devices, problems };
}
