/**
 * The port through which ingestion checks Ed25519 signatures: on worker threads in the gateway
 * (worker-verify-pool.ts), on the calling thread in tests and on one-core boxes (inline-signature-verifier.ts).
 */

export interface VerifyRequest {
  /** The device's registered public key (32 bytes), current when the message was checked. */
  readonly publicKey: Uint8Array;
  /** The bytes signed: the COSE Sig_structure (RFC 9052 section 4.4). */
  readonly message: Uint8Array;
  /** 64 bytes. */
  readonly signature: Uint8Array;
}

export interface SignatureVerifier {
  /** True when the signature is valid; rejects only when verification could not run (a worker died). */
  verify(request: VerifyRequest): Promise<boolean>;
  close(): Promise<void>;
}
