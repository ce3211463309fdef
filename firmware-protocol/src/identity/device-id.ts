import { ProtocolError } from '../errors/protocol-error.js';

/** Spec section 1: a device id is text matching this pattern (a maker's serial number, for instance). */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isDeviceId(value: unknown): value is string {
  return typeof value === 'string' && DEVICE_ID_PATTERN.test(value);
}

/** Throws `E_DEVICE_ID` unless `value` is a valid device id (spec section 1). */
export function assertDeviceId(value: unknown, what = 'device id'): asserts value is string {
  if (!isDeviceId(value)) {
    throw new ProtocolError('E_DEVICE_ID', `${what} must match ${DEVICE_ID_PATTERN.source}`, {
      details: { value: typeof value === 'string' ? value.slice(0, 80) : typeof value },
    });
  }
}
