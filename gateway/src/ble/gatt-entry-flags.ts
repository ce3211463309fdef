/**
 * Flags of a logged standard BLE value (`gatt:<uuid>` entries), computed from its bytes like the flags of
 * device messages (ingest/entry-flags.ts), so the API and exports show the same wherever the entry is read:
 *
 * - `F_DEVICE_CLOCK_NOT_SET`: a PLX spot-check measurement (0x2A5E) with flags bit 4 set, "device clock is
 *   not set": its time stamp is not a real time.
 * - `F_GATT_RESERVED_FLAGS`: reserved flag bits are set (receivers ignore them; the value is kept as sent).
 */
import { decodeGattValue } from '@trialgate/firmware-protocol';
import type { LogEntry } from '@trialgate/proof-formats';

export type GattFlagCode = 'F_DEVICE_CLOCK_NOT_SET' | 'F_GATT_RESERVED_FLAGS';

export interface GattEntryFlag {
  readonly code: GattFlagCode;
  readonly path: string;
  readonly message: string;
}

export function gattEntryFlags(entry: Pick<LogEntry, 'contentType' | 'original'>): GattEntryFlag[] {
  if (!entry.contentType.startsWith('gatt:')) return [];
  let value;
  try {
    value = decodeGattValue(entry.contentType.slice('gatt:'.length), entry.original);
  } catch {
    return [];
  }
  const flags: GattEntryFlag[] = [];
  if (value.characteristic === 'plx_spot_check_measurement' && value.deviceClockNotSet) {
    flags.push({ code: 'F_DEVICE_CLOCK_NOT_SET', path: 'flags.bit4', message: 'the oximeter says its clock is not set: its time stamp is not a real time' });
  }
  if ('reservedFlags' in value && value.reservedFlags !== 0) {
    flags.push({ code: 'F_GATT_RESERVED_FLAGS', path: 'flags', message: `reserved flag bits 0x${value.reservedFlags.toString(16)} are set` });
  }
  return flags;
}
