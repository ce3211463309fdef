/**
 * The kinds of device the simulator models. The same strings go into the gateway's registry (`kind`, spec
 * section 1), so a site can tell a cuff from a dispenser in exports.
 */
export const DEVICE_KINDS = [
  'wearable',
  'bp_cuff',
  'glucose_meter',
  'scale',
  'pill_dispenser',
  'blister_pack',
] as const;

export type DeviceKind = (typeof DEVICE_KINDS)[number];

export function isDeviceKind(value: unknown): value is DeviceKind {
  return typeof value === 'string' && (DEVICE_KINDS as readonly string[]).includes(value);
}

/** Dispensers and blister packs follow a dose schedule and act on reminders. */
export function isDoseDevice(kind: DeviceKind): boolean {
  return kind === 'pill_dispenser' || kind === 'blister_pack';
}
