import { ProtocolError } from '../errors/protocol-error.js';

/** 16-bit UUIDs (lower-case hex, as in the log's `gatt:<uuid>` content type, spec section 4). */
export const GATT_UUIDS = {
  HEART_RATE_MEASUREMENT: '2a37',
  BLOOD_PRESSURE_MEASUREMENT: '2a35',
  TEMPERATURE_MEASUREMENT: '2a1c',
  GLUCOSE_MEASUREMENT: '2a18',
  PLX_SPOT_CHECK_MEASUREMENT: '2a5e',
  PLX_CONTINUOUS_MEASUREMENT: '2a5f',
  WEIGHT_MEASUREMENT: '2a9d',
  CURRENT_TIME: '2a2b',
} as const;

export type GattUuid = (typeof GATT_UUIDS)[keyof typeof GATT_UUIDS];

/** The services of spec section 3 (16-bit UUIDs). */
export const GATT_SERVICE_UUIDS = {
  HEART_RATE: '180d',
  BLOOD_PRESSURE: '1810',
  HEALTH_THERMOMETER: '1809',
  GLUCOSE: '1808',
  PULSE_OXIMETER: '1822',
  WEIGHT_SCALE: '181d',
  CURRENT_TIME: '1805',
} as const;

const KNOWN: ReadonlySet<string> = new Set(Object.values(GATT_UUIDS));
const BASE_UUID_SUFFIX = '-0000-1000-8000-00805f9b34fb';

/**
 * Accepts `2A37`, `2a37`, `0x2A37` or the full Bluetooth Base UUID form `00002a37-0000-1000-8000-00805f9b34fb`
 * and returns the lower-case 16-bit form, or throws E_GATT_UNKNOWN_UUID for anything that is not one of
 * `GATT_UUIDS`.
 */
export function normalizeGattUuid(uuid: string): GattUuid {
  let text = uuid.trim().toLowerCase();
  if (text.startsWith('0x')) text = text.slice(2);
  if (text.length === 36 && text.startsWith('0000') && text.endsWith(BASE_UUID_SUFFIX)) text = text.slice(4, 8);
  if (!KNOWN.has(text)) {
    throw new ProtocolError('E_GATT_UNKNOWN_UUID', `characteristic ${JSON.stringify(uuid.slice(0, 40))} is not one this gateway reads (${[...KNOWN].join(', ')})`, {
      details: { uuid: uuid.slice(0, 40) },
    });
  }
  return text as GattUuid;
}
