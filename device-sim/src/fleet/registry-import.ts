import type { Fleet } from './fleet.js';

/**
 * One line of the file `trialgate devices import --data DIR FILE` takes (issue 3): `{"id", "public_key",
 * "kind", "subject"?}`, the public key as standard base64 of its 32 bytes. No secret leaves the simulator.
 */
export interface RegistryImportLine {
  readonly id: string;
  readonly public_key: string;
  readonly kind: string;
  readonly subject?: string;
}

export function registryImportLines(fleet: Fleet): RegistryImportLine[] {
  return fleet.devices.map((device) => ({
    id: device.id,
    public_key: Buffer.from(device.publicKey).toString('base64'),
    kind: device.kind,
    subject: device.subject,
  }));
}

/** The JSON-lines text of the import file, one device per line, newline-terminated. */
export function formatRegistryImport(fleet: Fleet): string {
  return registryImportLines(fleet).map((line) => `${JSON.stringify(line)}\n`).join('');
}
