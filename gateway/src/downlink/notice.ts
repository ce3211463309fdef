/**
 * A notice: the gateway telling a device what became of one of its messages, when the transport itself
 * cannot (spec section 7: MQTT 3.1.1 has no reason codes; a quarantined message from an authenticated device
 * on its own uplink is still acknowledged, and the device is told why here). Format in
 * docs/device-downlink.md:
 *
 *   data = { "code": "E_...", "message": text, "disposition": "quarantined" | "duplicate", "seq"?: uint }
 *
 * `duplicate` says a retransmission was recognised and acknowledged without being logged twice
 * (code E_SEQ_DUPLICATE); `quarantined` that the message was refused and kept in quarantine with `code`.
 * Notices are not log entries: the quarantine record is the durable fact; the notice only reports it.
 */
import type { DownlinkSigner } from './downlink-signer.js';
import { openDownlinkMessage, signDownlinkMessage } from './downlink-message.js';
import { DownlinkError } from './downlink-error.js';

export type NoticeDisposition = 'quarantined' | 'duplicate';

export interface NoticeData {
  readonly code: string;
  readonly message: string;
  readonly disposition: NoticeDisposition;
  /** The device's seq, when it could be read from the message. */
  readonly seq?: number;
}

/** Notices stay small: a device's buffer is small. Longer messages are cut (with an ellipsis). */
export const NOTICE_MESSAGE_MAX_LENGTH = 240;

export interface SignNoticeParameters {
  readonly dev: string;
  /** The gateway's clock, ms. */
  readonly t: number;
  readonly notice: NoticeData;
}

export function signNotice(parameters: SignNoticeParameters, signer: DownlinkSigner): Uint8Array {
  const { code, message, disposition, seq } = parameters.notice;
  const text = message.length > NOTICE_MESSAGE_MAX_LENGTH ? `${message.slice(0, NOTICE_MESSAGE_MAX_LENGTH - 1)}…` : message;
  return signDownlinkMessage(
    {
      dev: parameters.dev,
      t: parameters.t,
      type: 'notice',
      data: { code, message: text, disposition, ...(seq === undefined ? {} : { seq }) },
    },
    signer,
  );
}

/** Opens a notice (devices, the simulator, tests): a downlink message of type `notice` with valid data. */
export function openNotice(
  bytes: Uint8Array,
  expected: { readonly origin: string; readonly gatewayPublicKey: Uint8Array; readonly device: string },
): NoticeData & { readonly t: number } {
  const message = openDownlinkMessage(bytes, expected);
  if (message.type !== 'notice') throw new DownlinkError('E_DOWNLINK_INVALID', `not a notice but a ${message.type.slice(0, 20)}`);
  const code = message.data.get('code');
  const text = message.data.get('message');
  const disposition = message.data.get('disposition');
  const seq = message.data.get('seq');
  if (typeof code !== 'string' || typeof text !== 'string' || (disposition !== 'quarantined' && disposition !== 'duplicate')) {
    throw new DownlinkError('E_DOWNLINK_INVALID', 'a notice needs code, message and disposition');
  }
  if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)) {
    throw new DownlinkError('E_DOWNLINK_INVALID', 'a notice seq is a uint >= 1');
  }
  return { code, message: text, disposition, t: message.t, ...(seq === undefined ? {} : { seq }) };
}
