/**
 * The gateway's signing key as the downlink sees it: the checkpoint key (spec section 5), named by the log
 * origin. A port, so the downlink never holds the seed itself.
 */
export interface DownlinkSigner {
  /** The log origin: the kid of every downlink message. */
  readonly origin: string;
  /** The gateway's Ed25519 public key, 32 bytes (devices are provisioned with it). */
  readonly publicKey: Uint8Array;
  /** Ed25519 signature (RFC 8032) of `message`. */
  sign(message: Uint8Array): Uint8Array;
}
