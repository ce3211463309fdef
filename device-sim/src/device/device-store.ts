import type { DeviceResumeState, OutboxMessage } from './outbox-message.js';

/**
 * The durable memory of simulated devices (their flash): the seq counter and the store-and-forward queue.
 *
 * The contract (checked by `device-store.contract.ts` against every adapter):
 * - `put` resolves only once the messages, and so their seqs, are durable; a device calls it before the
 *   first send, so a seq is never reused after a crash or restart (spec section 2: `seq` "never reused (kept
 *   across reboots)");
 * - `reserve` durably raises the counter without a message to send (a seq burned by a fault);
 * - `ack` forgets a message; it may be durable later (a lost ack only causes a resend of identical bytes,
 *   which the gateway acknowledges again without appending it);
 * - `resume` returns, per device, the highest seq assigned and the unacknowledged messages in seq order.
 */
export interface DeviceStore {
  resume(deviceId: string): DeviceResumeState;
  put(messages: readonly OutboxMessage[]): Promise<void>;
  reserve(deviceId: string, seq: number): Promise<void>;
  ack(deviceId: string, seq: number): void;
  /** Makes every acknowledgement durable and releases files. */
  close(): Promise<void>;
}
