/**
 * Reason codes of the ingestion path that are not the device protocol's own (those are ProtocolErrorCode,
 * E_CBOR_*, E_COSE_*, E_PAYLOAD_*, E_KID_MISMATCH, from firmware-protocol). Every quarantine record carries
 * one of the two, and so do metrics, log lines and downlink notices. Stable: device makers match on them
 * (docs/device-downlink.md lists each).
 */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type IngestErrorCode =
  /** The message is larger than the configured limit (`--max-message-bytes`). */
  | 'E_MESSAGE_TOO_LARGE'
  /** The kid names another device than the one the transport authenticated (MQTT: the client). */
  | 'E_KID_NOT_SENDER'
  /** Published to another device's topic. */
  | 'E_TOPIC_OTHER_DEVICE'
  /** Published to a topic that is no device's uplink. */
  | 'E_TOPIC_NOT_ALLOWED'
  /** The kid names no registered device. */
  | 'E_DEVICE_UNKNOWN'
  | 'E_DEVICE_SUSPENDED'
  | 'E_DEVICE_RETIRED'
  /** The device is not allowed this transport (registry `transports`). */
  | 'E_DEVICE_TRANSPORT'
  /**
   * The device was enrolled without a public key (it cannot sign; issue 6): a signed message or a connect
   * token from it is never accepted. Only its standard BLE values are logged, on the gateway's attestation.
   */
  | 'E_DEVICE_NO_KEY'
  /** The same device and seq are already logged with other bytes. */
  | 'E_SEQ_CONFLICT'
  /** Not an error: a retransmission of a logged message, acknowledged again (notice disposition `duplicate`). */
  | 'E_SEQ_DUPLICATE'
  /** Signature verification could not run (a worker thread died); the message is not acknowledged. */
  | 'E_INGEST_VERIFY_UNAVAILABLE'
  /** The pipeline is stopping; the message is not acknowledged and will be resent. */
  | 'E_INGEST_CLOSED';

export class IngestError extends TrialgateError<IngestErrorCode> {
  override readonly name = 'IngestError';

  constructor(code: IngestErrorCode, message: string, options?: TrialgateErrorOptions) {
    super(code, message, options);
  }
}

/** Why a device enrolled without a key is refused wherever a signature is needed (MQTT connect, COSE messages). */
export function noKeyMessage(deviceId: string): string {
  return `device ${deviceId} was enrolled without a public key: it cannot sign, so its signed messages and connect tokens are refused (only its standard BLE values are logged, on the gateway's attestation)`;
}
