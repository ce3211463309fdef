import { CborTag } from '../cbor/cbor-value.js';
import { encodeCbor } from '../cbor/encode-cbor.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { assertDeviceId } from '../identity/device-id.js';
import { COSE_HEADER_KID, COSE_PROTECTED_HEADER_EDDSA, COSE_SIGN1_TAG, type CoseSign1 } from './cose-sign1.js';

export interface EncodeCoseSign1Parameters {
  readonly kid: string;
  readonly payloadBytes: Uint8Array;
  readonly signature: Uint8Array;
  /** Defaults to `a1 01 27`; anything else does not decode (spec section 2). */
  readonly protectedBytes?: Uint8Array;
}

/**
 * Writes `#6.18([h'a10127', {4: h'<kid utf-8>'}, h'<payload>', h'<signature>'])` with preferred CBOR heads:
 * `d2 84 43 a10127 a1 04 4x <kid> 5x.. <payload> 58 40 <signature>`.
 */
export function encodeCoseSign1(parameters: EncodeCoseSign1Parameters | CoseSign1): Uint8Array {
  assertDeviceId(parameters.kid, 'kid');
  if (!(parameters.signature instanceof Uint8Array) || !(parameters.payloadBytes instanceof Uint8Array)) {
    throw new ProtocolError('E_COSE_STRUCTURE', 'payloadBytes and signature must be Uint8Array');
  }
  const kid = new TextEncoder().encode(parameters.kid);
  return encodeCbor(
    new CborTag(COSE_SIGN1_TAG, [
      parameters.protectedBytes ?? COSE_PROTECTED_HEADER_EDDSA,
      new Map([[COSE_HEADER_KID, kid]]),
      parameters.payloadBytes,
      parameters.signature,
    ]),
  );
}
