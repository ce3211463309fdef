import { mkdir, readFile, rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { SimError } from '../errors/sim-error.js';
import type { DeviceIdentity } from '../identity/device-identity.js';
import { isDeviceKind } from '../models/device-kind.js';
import type { Fleet } from './fleet.js';
import { formatRegistryImport } from './registry-import.js';

/** File names inside a simulator state directory. */
export const FLEET_FILE = 'fleet.json';
export const REGISTRY_IMPORT_FILE = 'devices.jsonl';

interface FleetFileV1 {
  readonly format: 'tg-sim-fleet/1';
  readonly seed: number;
  readonly devices: readonly {
    readonly id: string;
    readonly kind: string;
    readonly subject: string;
    readonly public_key: string;
    readonly secret_key: string;
  }[];
}

/**
 * Writes the fleet (with its secret keys, so the file is mode 0600) and the registry import file beside it,
 * each atomically (write to a temporary name, fsync, rename).
 */
export async function saveFleet(stateDir: string, fleet: Fleet): Promise<{ fleetFile: string; importFile: string }> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file: FleetFileV1 = {
    format: 'tg-sim-fleet/1',
    seed: fleet.seed,
    devices: fleet.devices.map((d) => ({
      id: d.id,
      kind: d.kind,
      subject: d.subject,
      public_key: Buffer.from(d.publicKey).toString('base64'),
      secret_key: Buffer.from(d.secretKey).toString('base64'),
    })),
  };
  const fleetFile = join(stateDir, FLEET_FILE);
  const importFile = join(stateDir, REGISTRY_IMPORT_FILE);
  await writeAtomically(fleetFile, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  await writeAtomically(importFile, formatRegistryImport(fleet), 0o644);
  return { fleetFile, importFile };
}

/** Reads a fleet saved by `saveFleet`; undefined when the directory holds none. */
export async function loadFleet(stateDir: string): Promise<Fleet | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDir, FLEET_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseFleetFile(text);
}

export function parseFleetFile(text: string): Fleet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new SimError('E_SIM_FLEET_INVALID', 'fleet file is not JSON', { cause });
  }
  const file = parsed as Partial<FleetFileV1> | null;
  if (file === null || typeof file !== 'object' || file.format !== 'tg-sim-fleet/1' || !Array.isArray(file.devices)) {
    throw new SimError('E_SIM_FLEET_INVALID', 'fleet file is not a tg-sim-fleet/1 document');
  }
  const devices: DeviceIdentity[] = (file.devices as readonly unknown[]).map((entry, index) => {
    if (entry === null || typeof entry !== 'object') {
      throw new SimError('E_SIM_FLEET_INVALID', `fleet file device ${index} is not an object`, { details: { index } });
    }
    const d = entry as FleetFileV1['devices'][number];
    const strings = [d.id, d.subject, d.public_key, d.secret_key].every((v) => typeof v === 'string');
    const publicKey = strings ? Buffer.from(d.public_key, 'base64') : Buffer.alloc(0);
    const secretKey = strings ? Buffer.from(d.secret_key, 'base64') : Buffer.alloc(0);
    if (!strings || !isDeviceKind(d.kind) || publicKey.length !== 32 || secretKey.length !== 32) {
      throw new SimError('E_SIM_FLEET_INVALID', `fleet file device ${index} is malformed`, { details: { index } });
    }
    return {
      id: d.id,
      kind: d.kind,
      subject: d.subject,
      publicKey: new Uint8Array(publicKey),
      secretKey: new Uint8Array(secretKey),
    };
  });
  const seed = file.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new SimError('E_SIM_FLEET_INVALID', 'fleet file seed is not an integer');
  return { seed, devices };
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, text, { mode });
  const handle = await open(temporary, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}
