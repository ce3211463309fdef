import type { Fleet } from './fleet.js';

/**
 * Whether two fleets are the same devices: seed, and per device (in order) id, kind, subject and key pair.
 * `trialgate sim provision` asks it of the fleet already in a state directory and the one its parameters
 * make (createFleet is deterministic), so provisioning again with the same parameters changes nothing.
 */
export function sameFleet(a: Fleet, b: Fleet): boolean {
  if (a.seed !== b.seed || a.devices.length !== b.devices.length) return false;
  return a.devices.every((device, i) => {
    const other = b.devices[i];
    return (
      other !== undefined &&
      device.id === other.id &&
      device.kind === other.kind &&
      device.subject === other.subject &&
      Buffer.from(device.publicKey).equals(Buffer.from(other.publicKey)) &&
      Buffer.from(device.secretKey).equals(Buffer.from(other.secretKey))
    );
  });
}
