/**
 * Reason codes of the MQTT edge that are not the pipeline's: why a connection or a subscription was refused.
 * They appear in metrics, log lines and (for connections) quarantine records, never on the wire: MQTT 3.1.1
 * has only CONNACK return codes, and we answer every refused connection with the same one (5, not
 * authorized), so that an unauthenticated client cannot learn which device ids are enrolled.
 */
import { TrialgateError, type TrialgateErrorOptions } from '@trialgate/firmware-protocol';

export type MqttErrorCode =
  /** The client id is not a device id, or the username differs from it (spec section 3). */
  | 'E_CONNECT_CLIENT_ID'
  /** No password: a device connects with a connect token. */
  | 'E_CONNECT_NO_TOKEN'
  /** The token names another device than the client id. */
  | 'E_CONNECT_TOKEN_DEVICE'
  /** The token's `iat` is more than 300 s from the gateway clock. */
  | 'E_CONNECT_TOKEN_EXPIRED'
  /** The token was already accepted once (spec section 3: a token is accepted once). */
  | 'E_CONNECT_TOKEN_REPLAYED'
  /** A will message was set; devices have none (a will would be published unsigned on a topic). */
  | 'E_CONNECT_WILL'
  /** A subscription to anything but the client's own downlink. */
  | 'E_SUBSCRIBE_NOT_ALLOWED'
  /** The replay memory of accepted tokens could not be written: refuse rather than risk a replay. */
  | 'E_CONNECT_UNAVAILABLE';

export class MqttError extends TrialgateError<MqttErrorCode> {
  override readonly name = 'MqttError';

  constructor(code: MqttErrorCode, message: string, options?: TrialgateErrorOptions) {
    super(code, message, options);
  }
}
