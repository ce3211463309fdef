/**
 * UUIDs as noble writes them: lower-case hex without dashes, 16-bit SIG UUIDs as 4 digits ('180d'), 128-bit
 * UUIDs as 32 digits.
 *
 * The Trialgate message service (docs/ble.md) carries COSE_Sign1 device messages over BLE: a random 128-bit
 * base, so it collides with no SIG or vendor service.
 */
import { GATT_SERVICE_UUIDS, GATT_UUIDS } from '@trialgate/firmware-protocol';

/** Service 6e7a0001-1b8c-4f6e-9d2a-7c3e5b40a1f2. */
export const MESSAGE_SERVICE_UUID = '6e7a00011b8c4f6e9d2a7c3e5b40a1f2';
/** Uplink, device -> gateway: notify or indicate, fragments of device messages. */
export const MESSAGE_UPLINK_UUID = '6e7a00021b8c4f6e9d2a7c3e5b40a1f2';
/** Downlink, gateway -> device: write with response, fragments of acks, schedules and reminders. */
export const MESSAGE_DOWNLINK_UUID = '6e7a00031b8c4f6e9d2a7c3e5b40a1f2';

/** The dashed form, for documents. */
export function dashedUuid(uuid: string): string {
  return uuid.length !== 32 ? uuid : `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20)}`;
}

/** The measurement characteristics of each standard health service (spec section 3) that are logged. */
export const MEASUREMENT_CHARACTERISTICS: Readonly<Record<string, readonly string[]>> = {
  [GATT_SERVICE_UUIDS.HEART_RATE]: [GATT_UUIDS.HEART_RATE_MEASUREMENT],
  [GATT_SERVICE_UUIDS.BLOOD_PRESSURE]: [GATT_UUIDS.BLOOD_PRESSURE_MEASUREMENT],
  [GATT_SERVICE_UUIDS.HEALTH_THERMOMETER]: [GATT_UUIDS.TEMPERATURE_MEASUREMENT],
  [GATT_SERVICE_UUIDS.GLUCOSE]: [GATT_UUIDS.GLUCOSE_MEASUREMENT],
  [GATT_SERVICE_UUIDS.PULSE_OXIMETER]: [GATT_UUIDS.PLX_SPOT_CHECK_MEASUREMENT, GATT_UUIDS.PLX_CONTINUOUS_MEASUREMENT],
  [GATT_SERVICE_UUIDS.WEIGHT_SCALE]: [GATT_UUIDS.WEIGHT_MEASUREMENT],
};

/** What the gateway scans for: the health services and the message service. */
export const SCAN_SERVICE_UUIDS: readonly string[] = [...Object.keys(MEASUREMENT_CHARACTERISTICS), MESSAGE_SERVICE_UUID];

const BASE_SUFFIX = '00001000800000805f9b34fb';

/** noble's form of any UUID spelling ('2A37', '00002a37-0000-1000-8000-00805f9b34fb', ...). */
export function nobleUuid(uuid: string): string {
  const text = uuid.toLowerCase().replace(/-/g, '');
  if (text.length === 32 && text.startsWith('0000') && text.endsWith(BASE_SUFFIX)) return text.slice(4, 8);
  return text;
}
