import { generateEd25519KeyPair, type RandomBytes } from '@trialgate/firmware-protocol';
import type { Random } from '../random/random.js';
import type { DeviceKind } from '../models/device-kind.js';

/**
 * One simulated device as provisioned: its id (spec section 1), Ed25519 key pair, kind and the pseudonymous
 * subject it is assigned to (never a name or any direct identifier of a person).
 */
export interface DeviceIdentity {
  readonly id: string;
  readonly kind: DeviceKind;
  /** Pseudonymous subject id, e.g. `SUBJ-0001`. */
  readonly subject: string;
  readonly publicKey: Uint8Array;
  /** The 32-byte Ed25519 seed. Stays in the simulator's state directory (mode 0600); never logged. */
  readonly secretKey: Uint8Array;
}

/** Seeded key material: a fleet made with the same seed has the same keys (reproducible test fixtures). */
export function seededRandomBytes(random: Random): RandomBytes {
  return (length) => {
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = Math.floor(random.next() * 256);
    return bytes;
  };
}

export function createDeviceIdentity(id: string, kind: DeviceKind, subject: string, random: Random): DeviceIdentity {
  const { secretKey, publicKey } = generateEd25519KeyPair(seededRandomBytes(random));
  return { id, kind, subject, publicKey, secretKey };
}
