import { SimError } from '../errors/sim-error.js';
import { createDeviceIdentity, type DeviceIdentity } from '../identity/device-identity.js';
import { isDoseDevice } from '../models/device-kind.js';
import { createRandom, type Random } from '../random/random.js';
import { allocateKinds, DEFAULT_DEVICE_MIX, type DeviceMix } from './device-mix.js';

/** A provisioned fleet: the devices of one simulated trial site and the seed their behaviour derives from. */
export interface Fleet {
  readonly seed: number;
  readonly devices: readonly DeviceIdentity[];
}

export interface CreateFleetParameters {
  /** Number of devices. */
  readonly size: number;
  readonly mix?: DeviceMix;
  /** Seed for keys, subjects and later behaviour (default 1). */
  readonly seed?: number;
  /** Device id prefix (default `SIM`): ids are `SIM-WEA-0001`, `SIM-DIS-0002`, ... (spec section 1 charset). */
  readonly idPrefix?: string;
  /** Each subject has up to this many devices (default 3: a wearable, a dispenser and one more). */
  readonly devicesPerSubject?: number;
}

const KIND_TAGS = {
  wearable: 'WEA',
  bp_cuff: 'BPC',
  glucose_meter: 'GLU',
  scale: 'SCL',
  pill_dispenser: 'DIS',
  blister_pack: 'BLI',
} as const;

/**
 * Creates `size` devices of the mix, each with its own seeded Ed25519 key, grouped into pseudonymous
 * subjects (`SUBJ-0001`, ...): a subject gets at most one dose device and one device of each other kind, so
 * that one person's watch and cuff describe one body.
 */
export function createFleet(parameters: CreateFleetParameters): Fleet {
  const { size } = parameters;
  if (!Number.isInteger(size) || size < 1 || size > 100_000) {
    throw new SimError('E_SIM_OPTION_INVALID', `fleet size must be an integer 1..100000, got ${size}`);
  }
  const seed = parameters.seed ?? 1;
  const prefix = parameters.idPrefix ?? 'SIM';
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(prefix)) {
    throw new SimError('E_SIM_OPTION_INVALID', `device id prefix "${prefix}" is not allowed in a device id`);
  }
  const perSubject = parameters.devicesPerSubject ?? 3;
  const keys: Random = createRandom(seed).fork();
  const kinds = allocateKinds(size, parameters.mix ?? DEFAULT_DEVICE_MIX);
  const subjects: { id: string; kinds: Set<string> }[] = [];
  const devices = kinds.map((kind, index) => {
    // The first subject that still lacks this kind (dispensers and blister packs count as one kind) gets it.
    const family = isDoseDevice(kind) ? 'dose' : kind;
    let subject = subjects.find((s) => s.kinds.size < perSubject && !s.kinds.has(family));
    if (subject === undefined) {
      subject = { id: `SUBJ-${String(subjects.length + 1).padStart(4, '0')}`, kinds: new Set() };
      subjects.push(subject);
    }
    subject.kinds.add(family);
    const id = `${prefix}-${KIND_TAGS[kind]}-${String(index + 1).padStart(4, '0')}`;
    return createDeviceIdentity(id, kind, subject.id, keys.fork());
  });
  return { seed, devices };
}
