import { encodeCbor } from '../cbor/encode-cbor.js';

const EMPTY = new Uint8Array(0);

/**
 * RFC 9052 section 4.4: `Sig_structure = ["Signature1", body_protected, external_aad, payload]`, with empty
 * external AAD (spec section 2), as the bytes Ed25519 signs. `protectedBytes` must be the protected-header
 * bytes exactly as received: the section 4.4 rule is that they are used as transmitted, never re-encoded.
 *
 * Layout: `84 6a "Signature1" 43 a10127 40 <bstr head> <payload>` for the spec's protected header.
 */
export function coseSigStructure(protectedBytes: Uint8Array, payloadBytes: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, EMPTY, payloadBytes]);
}
