/**
 * A device's acknowledgement of a downlink message (a schedule, a reminder): a device message (spec section
 * 2), signed with the device's key and numbered with its next `seq`, of the extension type `downlink_ack`
 * (docs/dosing.md):
 *
 *   { "v": 1, "dev": ..., "seq": ..., "t": ..., "type": "downlink_ack",
 *     "data": { "ref": <the downlink's id>, "of": "schedule" | "reminder", "status": "accepted" | "refused",
 *               "reason"?: text } }
 *
 * The spec's payload types are fixed and an unknown type is "kept but flagged", so the gateway logs it as
 * received (flagged F_UNKNOWN_TYPE by this protocol version) and links it to the downlink it names.
 */
import { createDeviceMessage, PAYLOAD_VERSION, type Ed25519Signer } from '@trialgate/firmware-protocol';

export const DOWNLINK_ACK_TYPE = 'downlink_ack';

export interface DownlinkAck {
  readonly ref: number;
  readonly of: string;
  readonly status: 'accepted' | 'refused';
  readonly reason?: string;
}

export function signDownlinkAck(parameters: {
  readonly deviceId: string;
  readonly seq: number;
  readonly t: number;
  readonly ack: DownlinkAck;
  readonly secretKey: Uint8Array | Ed25519Signer;
}): Uint8Array {
  const { ref, of, status, reason } = parameters.ack;
  return createDeviceMessage({
    payload: {
      v: PAYLOAD_VERSION,
      dev: parameters.deviceId,
      seq: parameters.seq,
      t: parameters.t,
      type: DOWNLINK_ACK_TYPE,
      data: { ref, of, status, ...(reason === undefined ? {} : { reason }) },
    },
    secretKey: parameters.secretKey,
  });
}
