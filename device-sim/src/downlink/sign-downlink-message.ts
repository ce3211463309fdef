import {
  CborTag,
  COSE_HEADER_KID,
  COSE_PROTECTED_HEADER_EDDSA,
  COSE_SIGN1_TAG,
  coseSigStructure,
  createEd25519Signer,
  encodeCbor,
  type CborEncodable,
} from '@trialgate/firmware-protocol';

export interface SignDownlinkMessageParameters {
  /** The gateway's origin, used as kid and `gw`. */
  readonly origin: string;
  readonly secretKey: Uint8Array;
  readonly dev: string;
  readonly t: number;
  readonly type: string;
  readonly data: { readonly [key: string]: CborEncodable };
}

/**
 * Signs a downlink message the way the gateway does (see `decodeDownlinkMessage`). The simulator uses it in
 * tests and to stand in for a gateway; the gateway has its own encoder.
 */
export function signDownlinkMessage(parameters: SignDownlinkMessageParameters): Uint8Array {
  const payload = encodeCbor({
    v: 1,
    gw: parameters.origin,
    dev: parameters.dev,
    t: parameters.t,
    type: parameters.type,
    data: parameters.data,
  });
  const signature = createEd25519Signer(parameters.secretKey).sign(coseSigStructure(COSE_PROTECTED_HEADER_EDDSA, payload));
  return encodeCbor(
    new CborTag(COSE_SIGN1_TAG, [
      COSE_PROTECTED_HEADER_EDDSA,
      new Map([[COSE_HEADER_KID, new TextEncoder().encode(parameters.origin)]]),
      payload,
      signature,
    ]),
  );
}
