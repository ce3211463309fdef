import { SimError } from '../errors/sim-error.js';
import { DEVICE_KINDS, isDeviceKind, type DeviceKind } from '../models/device-kind.js';

/** Relative weights of device kinds in a fleet. */
export type DeviceMix = Readonly<Partial<Record<DeviceKind, number>>>;

/**
 * A trial site's usual mix: everyone wears a wearable and has a dispenser or a blister pack; some have a
 * cuff, a glucose meter or a scale, depending on the protocol.
 */
export const DEFAULT_DEVICE_MIX: DeviceMix = {
  wearable: 4,
  pill_dispenser: 2,
  blister_pack: 2,
  bp_cuff: 1,
  glucose_meter: 1,
  scale: 1,
};

/** Parses `wearable=4,bp_cuff=1` (the CLI's `--mix`). */
export function parseDeviceMix(text: string): DeviceMix {
  const mix: Partial<Record<DeviceKind, number>> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const [kind, weight] = part.split('=');
    const value = Number(weight ?? '1');
    if (!isDeviceKind(kind) || !Number.isFinite(value) || value < 0) {
      throw new SimError('E_SIM_OPTION_INVALID', `bad device mix entry "${part}" (kinds: ${DEVICE_KINDS.join(', ')})`);
    }
    mix[kind] = value;
  }
  if (Object.values(mix).every((w) => w === 0)) throw new SimError('E_SIM_OPTION_INVALID', 'the device mix is empty');
  return mix;
}

/**
 * The kinds of `count` devices in proportion to the weights (largest remainder), in a stable order: the same
 * count and mix always give the same list.
 */
export function allocateKinds(count: number, mix: DeviceMix): DeviceKind[] {
  const entries = DEVICE_KINDS.map((kind) => [kind, mix[kind] ?? 0] as const).filter(([, w]) => w > 0);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  if (total <= 0) throw new SimError('E_SIM_OPTION_INVALID', 'the device mix is empty');
  const quotas = entries.map(([kind, w]) => ({ kind, exact: (count * w) / total }));
  const counts = new Map(quotas.map((q) => [q.kind, Math.floor(q.exact)]));
  let left = count - [...counts.values()].reduce((a, b) => a + b, 0);
  for (const q of [...quotas].sort((a, b) => (b.exact % 1) - (a.exact % 1))) {
    if (left-- <= 0) break;
    counts.set(q.kind, (counts.get(q.kind) ?? 0) + 1);
  }
  // Interleave kinds so that the first devices of a fleet are of every kind (small demos see them all).
  const out: DeviceKind[] = [];
  for (let round = 0; out.length < count; round++) {
    for (const [kind] of entries) if ((counts.get(kind) ?? 0) > round) out.push(kind);
  }
  return out;
}
