/**
 * An ack: the gateway telling a device, on a transport without its own acknowledgement (a serial line, the
 * BLE message service), that one of its messages has its durable decision (spec section 3: acknowledged only
 * once durably logged or durably rejected). MQTT needs none: its PUBACK comes at the same moment.
 * Format for device makers in docs/serial.md and docs/ble.md:
 *
 *   data = { "digest": bstr(32), "disposition": "logged" | "duplicate" | "quarantined",
 *            "seq"?: uint, "index"?: uint, "code"?: text }
 *
 * `digest` is the SHA-256 of the message bytes exactly as the gateway received them. A device frees a
 * stored message only when an ack's digest equals its own message's digest (and the ack verifies under the
 * gateway key): a serial line or a radio authenticates no sender, so a forged or corrupted copy of a message
 * (same kid, same seq, other bytes) that was quarantined can never make the device drop the real one.
 * `index` is the log index (logged, duplicate); `code` the quarantine reason (quarantined).
 */
import { createHash } from 'node:crypto';
import type { DownlinkSigner } from './downlink-signer.js';
import { openDownlinkMessage, signDownlinkMessage } from './downlink-message.js';
import { bytesField, invalidDownlink, oneOf, optionalTextField, optionalUintField } from './downlink-fields.js';

export type AckDisposition = 'logged' | 'duplicate' | 'quarantined';

export const ACK_DISPOSITIONS: readonly AckDisposition[] = ['logged', 'duplicate', 'quarantined'];

export interface AckData {
  /** SHA-256 of the acknowledged message's bytes as received. */
  readonly digest: Uint8Array;
  readonly disposition: AckDisposition;
  readonly seq?: number;
  readonly index?: number;
  readonly code?: string;
}

export interface SignAckParameters {
  readonly dev: string;
  /** The gateway's clock, ms. */
  readonly t: number;
  readonly ack: AckData;
}

/** SHA-256 of the bytes as received: what an ack names. */
export function messageDigest(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

export function signAck(parameters: SignAckParameters, signer: DownlinkSigner): Uint8Array {
  const { digest, disposition, seq, index, code } = parameters.ack;
  return signDownlinkMessage(
    {
      dev: parameters.dev,
      t: parameters.t,
      type: 'ack',
      data: {
        digest,
        disposition,
        ...(seq === undefined ? {} : { seq }),
        ...(index === undefined ? {} : { index }),
        ...(code === undefined ? {} : { code: code.slice(0, 64) }),
      },
    },
    signer,
  );
}

/** Opens an ack as a device does (the simulator, tests). */
export function openAck(
  bytes: Uint8Array,
  expected: { readonly origin: string; readonly gatewayPublicKey: Uint8Array; readonly device: string },
): AckData & { readonly t: number } {
  const message = openDownlinkMessage(bytes, expected);
  if (message.type !== 'ack') throw invalidDownlink('ack', `it is a ${message.type.slice(0, 20)}`);
  const data = message.data;
  const digest = bytesField(data, 'digest', 'ack', 32);
  const disposition = oneOf(data.get('disposition'), ACK_DISPOSITIONS, 'disposition', 'ack');
  const seq = optionalUintField(data, 'seq', 'ack');
  const index = optionalUintField(data, 'index', 'ack');
  const code = optionalTextField(data, 'code', 'ack', 64);
  return {
    t: message.t,
    digest,
    disposition,
    ...(seq === undefined ? {} : { seq }),
    ...(index === undefined ? {} : { index }),
    ...(code === undefined ? {} : { code }),
  };
}
