/**
 * A device's acknowledgement of a downlink message, as it arrives in a logged device message of the extension
 * type `downlink_ack` (docs/dosing.md):
 *
 *   data = { "ref": uint (the downlink's id), "of": text, "status": "accepted" | "refused", "reason"?: text }
 *
 * Why an extension type rather than a new format: spec section 2 fixes the payload types and keeps unknown
 * ones ("kept but flagged"). An acknowledgement signed by the device, numbered with its seq and logged as it
 * was sent is attributable to the device (ALCOA+), shows up in `trialgate verify`'s signature and seq checks
 * like any reading, and needs no second message format, no second key and no change to any existing one.
 */
import type { DevicePayload } from '@trialgate/firmware-protocol';

export const DOWNLINK_ACK_TYPE = 'downlink_ack';

export interface DownlinkAckPayload {
  readonly ref: number;
  readonly of: string;
  readonly status: string;
  readonly reason?: string;
}

/** The acknowledgement in a decoded payload, or null when the payload is not a well-formed `downlink_ack`. */
export function readDownlinkAck(payload: DevicePayload): DownlinkAckPayload | null {
  if (payload.type !== DOWNLINK_ACK_TYPE) return null;
  const data = payload.data as Readonly<Record<string, unknown>>;
  const { ref, of, status, reason } = data;
  if (typeof ref !== 'number' || !Number.isSafeInteger(ref) || ref < 1) return null;
  if (typeof of !== 'string' || of.length > 32 || typeof status !== 'string' || status.length > 32) return null;
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 256)) return null;
  return { ref, of, status, ...(reason === undefined ? {} : { reason }) };
}
