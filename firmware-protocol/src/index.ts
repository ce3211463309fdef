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
export { describeCborValue } from './cbor/describe-cbor-value.js';

// Device identity (spec section 1)
export { DEVICE_ID_PATTERN, assertDeviceId, isDeviceId } from './identity/device-id.js';

// Ed25519 (RFC 8032)
export {
  ED25519_PUBLIC_KEY_LENGTH,
  ED25519_SEED_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  createEd25519Signer,
  ed25519PublicKey,
  ed25519Sign,
  generateEd25519KeyPair,
  type Ed25519KeyPair,
  type Ed25519Signer,
  type RandomBytes,
} from './crypto/ed25519-keys.js';
export {
  DEFAULT_ED25519_IMPLEMENTATION,
  assertEd25519PublicKey,
  createEd25519Verifier,
  type CreateEd25519VerifierOptions,
  type Ed25519Implementation,
  type Ed25519Verifier,
} from './crypto/ed25519-verifier.js';

// COSE_Sign1 (RFC 9052; spec section 2)
export {
  COSE_ALG_EDDSA,
  COSE_HEADER_ALG,
  COSE_HEADER_KID,
  COSE_PROTECTED_HEADER_EDDSA,
  COSE_SIGN1_TAG,
  DEVICE_MESSAGE_DEFAULT_MAX_BYTES,
  type CoseSign1,
} from './cose/cose-sign1.js';
export { coseSigStructure } from './cose/cose-sig-structure.js';
export { decodeCoseSign1, type DecodeCoseSign1Options } from './cose/decode-cose-sign1.js';
export { encodeCoseSign1, type EncodeCoseSign1Parameters } from './cose/encode-cose-sign1.js';
export { signCoseSign1, type SignCoseSign1Parameters } from './cose/sign-cose-sign1.js';
export { assertCoseSign1Signature, verifyCoseSign1 } from './cose/verify-cose-sign1.js';

// Device payloads and messages (spec section 2)
export {
  DOSE_EVENTS,
  PAYLOAD_TYPES,
  PAYLOAD_VERSION,
  isKnownPayloadType,
  isPayloadOfType,
  type BloodPressureData,
  type BodyTempData,
  type DeviceStatusData,
  type DevicePayload,
  type DevicePayloadOfType,
  type DoseEventData,
  type DoseEventKind,
  type ExtraFields,
  type GlucoseData,
  type HeartRateData,
  type KnownDevicePayload,
  type PayloadDataByType,
  type PayloadType,
  type Spo2Data,
  type StepsData,
  type UnknownTypeDevicePayload,
  type WeightData,
} from './payload/device-payload.js';
export type { PayloadFlag, PayloadFlagCode } from './payload/payload-flag.js';
export {
  MAX_PLAUSIBLE_STEPS_PER_SECOND,
  PAYLOAD_DATA_SCHEMAS,
  PLAUSIBLE_TIME_MS,
  type FieldKind,
  type FieldSchema,
} from './payload/payload-schemas.js';
export {
  decodeDevicePayload,
  type DecodeDevicePayloadOptions,
  type DecodedDevicePayload,
} from './payload/decode-device-payload.js';
export { encodeDevicePayload } from './payload/encode-device-payload.js';
export {
  createDeviceMessage,
  decodeDeviceMessage,
  type CreateDeviceMessageParameters,
  type DecodeDeviceMessageOptions,
  type DecodedDeviceMessage,
} from './payload/device-message.js';

// Connect tokens (spec section 3)
export {
  CONNECT_TOKEN_MAX_SKEW_MS,
  createConnectToken,
  decodeConnectToken,
  isConnectTokenFresh,
  type ConnectToken,
  type CreateConnectTokenParameters,
  type DecodeConnectTokenOptions,
  type DecodedConnectToken,
} from './token/connect-token.js';

// Serial framing (spec section 3)
export { crc32 } from './serial/crc32.js';
export { cobsDecode, cobsEncode, cobsMaxEncodedLength } from './serial/cobs.js';
export {
  SERIAL_CRC_LENGTH,
  SERIAL_DEFAULT_MAX_PAYLOAD_BYTES,
  SERIAL_FRAME_DELIMITER,
  decodeSerialFrame,
  encodeSerialFrame,
  serialMaxEncodedFrameLength,
  type DecodeSerialFrameOptions,
} from './serial/serial-frame.js';
export {
  SerialFrameParser,
  type SerialFrameParserOptions,
  type SerialFrameResult,
} from './serial/serial-frame-parser.js';

// BLE health characteristics (spec section 3; GATT Specification Supplement; IEEE 11073-20601)
export {
  decodeFloat,
  decodeSfloat,
  encodeFloat,
  encodeSfloat,
  type Ieee11073SpecialKind,
  type Ieee11073Value,
} from './gatt/ieee11073-float.js';
export { GATT_SERVICE_UUIDS, GATT_UUIDS, normalizeGattUuid, type GattUuid } from './gatt/gatt-uuids.js';
export type { GattBitField } from './gatt/gatt-bit-field.js';
export type { GattDateTime } from './gatt/gatt-date-time.js';
export { GATT_MAX_VALUE_BYTES, decodeGattValue, type GattValue } from './gatt/decode-gatt-value.js';
export { decodeHeartRateMeasurement, type HeartRateMeasurement } from './gatt/heart-rate-measurement.js';
export { decodeBloodPressureMeasurement, type BloodPressureMeasurement } from './gatt/blood-pressure-measurement.js';
export { decodeTemperatureMeasurement, type TemperatureMeasurement } from './gatt/temperature-measurement.js';
export { decodeGlucoseMeasurement, type GlucoseMeasurement } from './gatt/glucose-measurement.js';
export { decodePlxSpotCheckMeasurement, type PlxSpotCheckMeasurement } from './gatt/plx-spot-check-measurement.js';
export {
  decodePlxContinuousMeasurement,
  type PlxContinuousMeasurement,
  type PlxReading,
} from './gatt/plx-continuous-measurement.js';
export { decodeWeightMeasurement, type ScaledValue, type WeightMeasurement } from './gatt/weight-measurement.js';
export { decodeCurrentTime, type CurrentTime } from './gatt/current-time.js';

// BLE characteristic encoders (simulated peripherals, tests; the gateway logs values as received)
export { GattWriter, flagBits, ieee11073Number } from './gatt/gatt-encode-writer.js';
export { encodeHeartRateMeasurement, type HeartRateMeasurementFields } from './gatt/heart-rate-measurement-encode.js';
export { encodeBloodPressureMeasurement, type BloodPressureMeasurementFields } from './gatt/blood-pressure-measurement-encode.js';
export { encodeTemperatureMeasurement, type TemperatureMeasurementFields } from './gatt/temperature-measurement-encode.js';
export { encodeGlucoseMeasurement, type GlucoseMeasurementFields } from './gatt/glucose-measurement-encode.js';
export { encodePlxSpotCheckMeasurement, type PlxSpotCheckMeasurementFields } from './gatt/plx-spot-check-measurement-encode.js';
export { encodePlxContinuousMeasurement, type PlxContinuousMeasurementFields } from './gatt/plx-continuous-measurement-encode.js';
export { encodeWeightMeasurement, weightRawFromKg, type WeightMeasurementFields } from './gatt/weight-measurement-encode.js';
export { encodeCurrentTime, gattDateTimeOf, type CurrentTimeFields } from './gatt/current-time-encode.js';
