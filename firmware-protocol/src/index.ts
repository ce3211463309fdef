// The public API of @trialgate/firmware-protocol: spec sections 1-3 (docs/firmware-protocol.md).
export { TrialgateError, isTrialgateError, type TrialgateErrorOptions } from './errors/trialgate-error.js';
export { ProtocolError, isProtocolError, type ProtocolErrorCode } from './errors/protocol-error.js';

// Strict CBOR (RFC 8949)
export {
  CborFloat,
  CborTag,
  isCborMap,
  type CborMap,
  type CborMapKey,
  type CborValue,
} from './cbor/cbor-value.js';
export {
  CBOR_DEFAULT_MAX_BYTES,
  CBOR_DEFAULT_MAX_DEPTH,
  CBOR_MAX_DEPTH_CEILING,
  decodeCborStrict,
  type DecodeCborStrictOptions,
} from './cbor/decode-cbor-strict.js';
export { encodeCbor, type CborEncodable } from './cbor/encode-cbor.js';
