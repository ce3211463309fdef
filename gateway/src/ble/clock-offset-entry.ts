/**
 * A BLE device's clock compared with the gateway's, read at each connection from its Current Time
 * characteristic (0x2A2B) and logged as a `gateway` entry (spec section 4: "a clock offset measured"),
 * transport `ble`, so an auditor can judge the device's own time stamps (docs/ble.md):
 *
 *   { "v": 1, "event": "clock-offset", "dev": <device id>, "raw": bstr (the 0x2A2B value as read),
 *     "device_time": "YYYY-MM-DDTHH:MM:SS.fff" (the device's wall clock, no zone), "offset_ms": int }
 *
 * `offset_ms` is the device's time read as UTC minus the gateway's time of the read (the entry's
 * receivedAtMs): GATT Date Time carries no zone, so a device that keeps local time shows its zone's offset
 * here, which the auditor who knows the site's zone reads as such. A device whose clock is not set
 * (year 0) gets `offset_ms: null`.
 */
import { decodeCborStrict, decodeCurrentTime, encodeCbor, isCborMap, isDeviceId, type CurrentTime } from '@trialgate/firmware-protocol';
import type { LogEntry } from '@trialgate/proof-formats';
import { BleError } from './ble-error.js';

export interface ClockOffsetRecord {
  readonly dev: string;
  readonly raw: Uint8Array;
  readonly deviceTime: string | null;
  readonly offsetMs: number | null;
}

/** The device's wall clock as ms (read as UTC), or null when its date is not set. */
export function currentTimeAsUtcMs(value: CurrentTime): number | null {
  const { year, month, day, hours, minutes, seconds } = value.dateTime;
  if (year === 0 || month === 0 || day === 0) return null;
  return Date.UTC(year, month - 1, day, hours, minutes, seconds) + Math.round((value.fractions256 * 1000) / 256);
}

/** Attacker-controlled: `raw` is what the peripheral returned. Throws the GATT decoder's ProtocolError. */
export function clockOffsetOf(dev: string, raw: Uint8Array, gatewayMs: number): ClockOffsetRecord {
  const value = decodeCurrentTime(raw);
  const deviceMs = currentTimeAsUtcMs(value);
  return {
    dev,
    raw,
    deviceTime: deviceMs === null ? null : new Date(deviceMs).toISOString().slice(0, 23),
    offsetMs: deviceMs === null ? null : deviceMs - gatewayMs,
  };
}

export function clockOffsetLogEntry(record: ClockOffsetRecord, receivedAtMs: number): LogEntry {
  return {
    receivedAtMs,
    transport: 'ble',
    deviceId: record.dev,
    contentType: 'gateway',
    original: encodeCbor({ v: 1, event: 'clock-offset', dev: record.dev, raw: record.raw, device_time: record.deviceTime, offset_ms: record.offsetMs }),
  };
}

/**
 * Reads a `clock-offset` record back, or null for another gateway record.
 * Attacker-controlled: the entry comes from a log or a bundle. Only BleError or ProtocolError escape.
 */
export function decodeClockOffsetEntry(original: Uint8Array): ClockOffsetRecord | null {
  const value = decodeCborStrict(original, { maxBytes: 4096, maxDepth: 2 });
  if (!isCborMap(value) || value.get('event') !== 'clock-offset') return null;
  const dev = value.get('dev');
  const raw = value.get('raw');
  const deviceTime = value.get('device_time');
  const offset = value.get('offset_ms');
  if (value.get('v') !== 1 || value.size !== 6) throw new BleError('E_BLE_OPERATION', 'not a clock-offset record: unknown version or keys');
  if (typeof dev !== 'string' || !isDeviceId(dev) || !(raw instanceof Uint8Array)) throw new BleError('E_BLE_OPERATION', 'not a clock-offset record: dev or raw');
  if (deviceTime !== null && typeof deviceTime !== 'string') throw new BleError('E_BLE_OPERATION', 'not a clock-offset record: device_time');
  if (offset !== null && (typeof offset !== 'number' || !Number.isSafeInteger(offset))) throw new BleError('E_BLE_OPERATION', 'not a clock-offset record: offset_ms');
  return { dev, raw, deviceTime, offsetMs: offset };
}
