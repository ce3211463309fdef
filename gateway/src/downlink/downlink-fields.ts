/**
 * Field readers for the `data` map of downlink messages (ack, schedule, reminder), as a device reads them.
 * Attacker-controlled on a device: every field is checked for its type and range, and only DownlinkError
 * (E_DOWNLINK_INVALID) is thrown.
 */
import type { CborMap, CborValue } from '@trialgate/firmware-protocol';
import { DownlinkError } from './downlink-error.js';

export function invalidDownlink(type: string, why: string): DownlinkError {
  return new DownlinkError('E_DOWNLINK_INVALID', `not a valid ${type}: ${why}`);
}

export function uintField(data: CborMap, key: string, type: string, options: { readonly min?: number } = {}): number {
  const value = data.get(key);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (options.min ?? 0)) {
    throw invalidDownlink(type, `"${key}" is not a uint${options.min === undefined ? '' : ` >= ${options.min}`}`);
  }
  return value;
}

export function optionalUintField(data: CborMap, key: string, type: string): number | undefined {
  return data.has(key) ? uintField(data, key, type) : undefined;
}

export function textField(data: CborMap, key: string, type: string, maxLength = 256): string {
  const value = data.get(key);
  if (typeof value !== 'string' || value.length > maxLength) throw invalidDownlink(type, `"${key}" is not a text of at most ${maxLength} characters`);
  return value;
}

export function optionalTextField(data: CborMap, key: string, type: string, maxLength = 256): string | undefined {
  return data.has(key) ? textField(data, key, type, maxLength) : undefined;
}

export function bytesField(data: CborMap, key: string, type: string, length: number): Uint8Array {
  const value = data.get(key);
  if (!(value instanceof Uint8Array) || value.length !== length) throw invalidDownlink(type, `"${key}" is not ${length} bytes`);
  return value;
}

export function oneOf<T extends string>(value: CborValue | undefined, allowed: readonly T[], key: string, type: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidDownlink(type, `"${key}" is not one of ${allowed.join(', ')}`);
  }
  return value as T;
}
