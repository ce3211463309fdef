/**
 * A registry change as a log entry (spec section 4): transport `admin`, content type `registry`, the device
 * the change concerns as `deviceId`, and the change's CBOR map as `original`.
 */
import type { LogEntry } from '@trialgate/proof-formats';
import { decodeRegistryChange, encodeRegistryChange, type RegistryChange } from './registry-change.js';
import { RegistryError } from './registry-error.js';

export function registryEntry(change: RegistryChange, receivedAtMs: number): LogEntry {
  return { receivedAtMs, transport: 'admin', deviceId: change.dev, contentType: 'registry', original: encodeRegistryChange(change) };
}

/** Decodes a `registry` entry's change and checks that it concerns the entry's device. */
export function decodeRegistryEntry(entry: LogEntry): RegistryChange {
  if (entry.contentType !== 'registry' || entry.transport !== 'admin') {
    throw new RegistryError('E_REGISTRY_ENTRY', 'not a registry entry (transport admin, content type registry)');
  }
  const change = decodeRegistryChange(entry.original);
  if (change.dev !== entry.deviceId) {
    throw new RegistryError('E_REGISTRY_ENTRY', 'the change names another device than its entry');
  }
  return change;
}
