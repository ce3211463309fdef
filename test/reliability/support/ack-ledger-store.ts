/**
 * The simulator's device memory (`DeviceStore` port of @trialgate/device-sim) with a ledger beside it: every
 * message a simulated device stored (its bytes' SHA-256) and every PUBACK it got, as they happen. A scenario
 * can then ask, at any instant (for instance right after a kill -9), which messages the gateway had
 * acknowledged: each of those must be in the log exactly once, byte for byte (spec section 3).
 */
import { createHash } from 'node:crypto';
import { MemoryDeviceStore, type DeviceResumeState, type DeviceStore, type OutboxMessage } from '@trialgate/device-sim';

export interface LedgerMessage {
  readonly device: string;
  readonly seq: number;
  /** Hex SHA-256 of the COSE_Sign1 bytes: the log entry's `original`. */
  readonly sha256: string;
}

export class AckLedgerStore implements DeviceStore {
  readonly #inner = new MemoryDeviceStore();
  readonly #stored = new Map<string, LedgerMessage>();
  readonly #bytes = new Map<string, Uint8Array>();
  readonly #acked = new Set<string>();
  readonly #storedAt = new Map<string, number>();
  /** Every acknowledgement: when (performance.now()) and how long after the message was stored, ms. */
  readonly #ackTimes: { readonly at: number; readonly latencyMs: number }[] = [];

  resume(deviceId: string): DeviceResumeState {
    return this.#inner.resume(deviceId);
  }

  async put(messages: readonly OutboxMessage[]): Promise<void> {
    for (const message of messages) {
      this.#bytes.set(ledgerKey(message.deviceId, message.seq), message.bytes);
      this.#storedAt.set(ledgerKey(message.deviceId, message.seq), performance.now());
      this.#stored.set(ledgerKey(message.deviceId, message.seq), {
        device: message.deviceId,
        seq: message.seq,
        sha256: createHash('sha256').update(message.bytes).digest('hex'),
      });
    }
    await this.#inner.put(messages);
  }

  reserve(deviceId: string, seq: number): Promise<void> {
    return this.#inner.reserve(deviceId, seq);
  }

  ack(deviceId: string, seq: number): void {
    const key = ledgerKey(deviceId, seq);
    const now = performance.now();
    if (!this.#acked.has(key)) this.#ackTimes.push({ at: now, latencyMs: now - (this.#storedAt.get(key) ?? now) });
    this.#acked.add(key);
    this.#inner.ack(deviceId, seq);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** Messages acknowledged so far (a copy: later acknowledgements do not change it). */
  acknowledged(): LedgerMessage[] {
    const out: LedgerMessage[] = [];
    for (const key of this.#acked) {
      const message = this.#stored.get(key);
      if (message !== undefined) out.push(message);
    }
    return out;
  }

  /** Messages stored and not (yet) acknowledged, with their bytes. */
  unacknowledged(): (LedgerMessage & { readonly bytes: Uint8Array })[] {
    const out: (LedgerMessage & { readonly bytes: Uint8Array })[] = [];
    for (const [key, message] of this.#stored) {
      const bytes = this.#bytes.get(key);
      if (!this.#acked.has(key) && bytes !== undefined) out.push({ ...message, bytes });
    }
    return out;
  }

  /**
   * Acknowledgements between two `performance.now()` instants: how many, and their latencies from storing to
   * PUBACK (the simulator sends at once when it is not behind, so this is the device's view of ack latency).
   */
  acknowledgementsBetween(fromMs: number, toMs: number): { readonly count: number; readonly latenciesMs: number[] } {
    const latenciesMs = this.#ackTimes.filter((a) => a.at >= fromMs && a.at < toMs).map((a) => a.latencyMs);
    return { count: latenciesMs.length, latenciesMs };
  }

  get storedCount(): number {
    return this.#stored.size;
  }

  get acknowledgedCount(): number {
    return this.#acked.size;
  }
}

export function ledgerKey(device: string, seq: number): string {
  return `${device}/${seq}`;
}
