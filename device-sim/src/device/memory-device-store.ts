import type { DeviceStore } from './device-store.js';
import type { DeviceResumeState, OutboxMessage } from './outbox-message.js';

interface DeviceRecord {
  lastSeq: number;
  readonly pending: Map<number, OutboxMessage>;
}

/** The in-memory adapter: survives a simulated device restart within one process, not a process exit. */
export class MemoryDeviceStore implements DeviceStore {
  private readonly devices = new Map<string, DeviceRecord>();

  resume(deviceId: string): DeviceResumeState {
    const record = this.devices.get(deviceId);
    if (record === undefined) return { lastSeq: 0, pending: [] };
    return { lastSeq: record.lastSeq, pending: [...record.pending.values()].sort((a, b) => a.seq - b.seq) };
  }

  put(messages: readonly OutboxMessage[]): Promise<void> {
    for (const message of messages) {
      const record = this.record(message.deviceId);
      record.lastSeq = Math.max(record.lastSeq, message.seq);
      record.pending.set(message.seq, message);
    }
    return Promise.resolve();
  }

  reserve(deviceId: string, seq: number): Promise<void> {
    const record = this.record(deviceId);
    record.lastSeq = Math.max(record.lastSeq, seq);
    return Promise.resolve();
  }

  ack(deviceId: string, seq: number): void {
    this.devices.get(deviceId)?.pending.delete(seq);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private record(deviceId: string): DeviceRecord {
    let record = this.devices.get(deviceId);
    if (record === undefined) {
      record = { lastSeq: 0, pending: new Map() };
      this.devices.set(deviceId, record);
    }
    return record;
  }
}
