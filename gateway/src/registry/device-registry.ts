/**
 * The registry as the hot path reads it: an in-memory map of devices, loaded once from the projection's
 * tables and then kept in step with the log by applying each committed `registry` entry with the same pure
 * state machine the projection uses (apply-registry-change.ts). Lookups cost a Map read, not a SQLite query,
 * on every message.
 *
 * `GatewayLog.onCommitted` runs before the append's promise resolves, so once an admin change's append has
 * resolved, every lookup sees it (a suspended device's next message is refused).
 */
import type { CommittedEntry, GatewayLog } from '../storage/gateway-log.js';
import { applyRegistryChange } from './apply-registry-change.js';
import type { DeviceRecord } from './device-record.js';
import type { RegistryChange } from './registry-change.js';
import { decodeRegistryEntry } from './registry-entry.js';

/** What ingestion and the broker need of the registry. */
export interface RegistryLookup {
  get(deviceId: string): DeviceRecord | undefined;
}

export type RegistryChangeListener = (record: DeviceRecord, change: RegistryChange, index: number) => void;

export class DeviceRegistry implements RegistryLookup {
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly listeners = new Set<RegistryChangeListener>();
  private readonly unsubscribe: () => void;

  /**
   * `initial`: the devices as of the log's current size (the projection's rows after its replay). Call this
   * before any new append, so that no committed entry falls between the load and the subscription.
   */
  constructor(log: GatewayLog, initial: Iterable<DeviceRecord>) {
    for (const record of initial) this.devices.set(record.id, record);
    this.unsubscribe = log.onCommitted((entries) => this.applyCommitted(entries));
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.devices.get(deviceId);
  }

  list(): DeviceRecord[] {
    return [...this.devices.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  get size(): number {
    return this.devices.size;
  }

  /** Called after each applied change (key rotation updates the verifiers, suspension closes connections). */
  onChange(listener: RegistryChangeListener): () => void {
    const wrapped: RegistryChangeListener = (record, change, index) => listener(record, change, index);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  private applyCommitted(entries: readonly CommittedEntry[]): void {
    for (const committed of entries) {
      if (committed.entry.contentType !== 'registry') continue;
      let change: RegistryChange;
      let record: DeviceRecord;
      try {
        change = decodeRegistryEntry(committed.entry);
        record = applyRegistryChange(this.devices.get(change.dev), change, {
          index: committed.index,
          atMs: committed.entry.receivedAtMs,
        });
      } catch {
        // A logged change that does not apply changes nothing, exactly as in the projection (which records it
        // in registry_changes with its error); the admin path checks every change before logging it.
        continue;
      }
      this.devices.set(record.id, record);
      for (const listener of [...this.listeners]) {
        try {
          listener(record, change, committed.index);
        } catch {
          // A listener's failure must not stop the log's commit path; listeners handle their own errors.
        }
      }
    }
  }
}
