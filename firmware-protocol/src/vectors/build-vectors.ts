import { CborFloat, CborTag } from '../cbor/cbor-value.js';
import { decodeCborStrict, type DecodeCborStrictOptions } from '../cbor/decode-cbor-strict.js';
import { encodeCbor, type CborEncodable } from '../cbor/encode-cbor.js';
import { coseSigStructure } from '../cose/cose-sig-structure.js';
import { COSE_PROTECTED_HEADER_EDDSA } from '../cose/cose-sign1.js';
import { decodeCoseSign1 } from '../cose/decode-cose-sign1.js';
import { encodeCoseSign1 } from '../cose/encode-cose-sign1.js';
import { signCoseSign1 } from '../cose/sign-cose-sign1.js';
import { verifyCoseSign1 } from '../cose/verify-cose-sign1.js';
import { ed25519PublicKey, ed25519Sign } from '../crypto/ed25519-keys.js';
import { createEd25519Verifier } from '../crypto/ed25519-verifier.js';
import { isProtocolError } from '../errors/protocol-error.js';
import { decodeGattValue } from '../gatt/decode-gatt-value.js';
import { decodeFloat, decodeSfloat } from '../gatt/ieee11073-float.js';
import { createDeviceMessage, decodeDeviceMessage } from '../payload/device-message.js';
import type { DevicePayload } from '../payload/device-payload.js';
import { decodeDevicePayload } from '../payload/decode-device-payload.js';
import { encodeDevicePayload } from '../payload/encode-device-payload.js';
import { cobsEncode } from '../serial/cobs.js';
import { crc32 } from '../serial/crc32.js';
import { decodeSerialFrame, encodeSerialFrame } from '../serial/serial-frame.js';
import { createConnectToken, decodeConnectToken } from '../token/connect-token.js';
import { fromHex, toHex, toVectorJson, type VectorJson } from './vector-json.js';

/**
 * Builds every file of `vectors/` from the implementation, deterministically (fixed seeds; Ed25519 signatures
 * are deterministic, RFC 8032 section 5.1.6). `generate-vectors.ts` writes them; `vectors.test.ts` checks that
 * the committed files equal this output and that every case still decodes as recorded.
 */
export const VECTOR_FORMAT = 'trialgate-vectors/1';

export interface VectorFile {
  readonly format: typeof VECTOR_FORMAT;
  readonly suite: string;
  readonly description: string;
  readonly [section: string]: VectorJson;
}

export const VECTOR_KEYS = [
  {
    name: 'key-a',
    deviceId: 'hr-0001',
    // RFC 8032 section 7.1 TEST 1 secret key.
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  },
  {
    name: 'key-b',
    deviceId: 'pillbox-42',
    seed: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  },
] as const;

const T = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const keyA = VECTOR_KEYS[0];
const keyB = VECTOR_KEYS[1];
const seedA = fromHex(keyA.seed);
const seedB = fromHex(keyB.seed);
const publicA = toHex(ed25519PublicKey(seedA));
const publicB = toHex(ed25519PublicKey(seedB));

function errorCode(fn: () => unknown): { code: string; path?: string } {
  try {
    fn();
  } catch (error) {
    if (isProtocolError(error)) {
      const path = error.details['path'];
      return typeof path === 'string' ? { code: error.code, path } : { code: error.code };
    }
    throw error;
  }
  throw new Error('expected the vector to fail, but it decoded');
}

function file(suite: string, description: string, sections: Record<string, VectorJson>): VectorFile {
  return { format: VECTOR_FORMAT, suite, description, ...sections };
}

// ---------------------------------------------------------------------------------------------------------
function cborVectors(): VectorFile {
  const valid: [string, string][] = [
    ['unsigned 0', '00'],
    ['unsigned 1000000', '1a000f4240'],
    ['unsigned 2^53-1 (largest exact number)', '1b001fffffffffffff'],
    ['unsigned 2^53 (bigint)', '1b0020000000000000'],
    ['unsigned 2^64-1 (bigint)', '1bffffffffffffffff'],
    ['negative -1000', '3903e7'],
    ['negative -2^64 (bigint)', '3bffffffffffffffff'],
    ['non-preferred head for 1 (well-formed, accepted)', '1b0000000000000001'],
    ['half float 1.5', 'f93e00'],
    ['single float 100000.0', 'fa47c35000'],
    ['double float 1.1', 'fb3ff199999999999a'],
    ['half float +Infinity', 'f97c00'],
    ['half float NaN', 'f97e00'],
    ['false, true, null, undefined', '84f4f5f6f7'],
    ['byte string', '4401020304'],
    ['text "IETF"', '6449455446'],
    ['text with a leading BOM (kept)', '63efbbbf'],
    ['4-byte UTF-8 text', '64f0908591'],
    ['nested arrays', '8301820203820405'],
    ['map with integer keys', 'a201020304'],
    ['map with text keys', 'a26161016162820203'],
    ['tag 1 (epoch time)', 'c11a514b67b0'],
    ['COSE protected header {1: -8}', 'a10127'],
  ];
  const invalid: [string, string, DecodeCborStrictOptions?][] = [
    ['empty input', ''],
    ['trailing bytes', '0000'],
    ['truncated head', '1901'],
    ['truncated byte string', '440102'],
    ['array claiming 2^64-1 items', '9bffffffffffffffff'],
    ['map missing a value', 'a101'],
    ['indefinite-length byte string', '5f4101ff'],
    ['indefinite-length text', '7f6161ff'],
    ['indefinite-length array', '9f01ff'],
    ['indefinite-length map', 'bf0102ff'],
    ['stray break code', 'ff'],
    ['reserved additional information 28', '1c'],
    ['reserved additional information 30 (major 7)', 'fe'],
    ['additional information 31 on an integer', '1f'],
    ['two-byte simple value below 32', 'f818'],
    ['unassigned simple value 16', 'f0'],
    ['invalid UTF-8: lone continuation byte', '6180'],
    ['invalid UTF-8: overlong encoding', '62c0af'],
    ['invalid UTF-8: encoded surrogate', '63eda080'],
    ['duplicate integer key', 'a201020103'],
    ['duplicate text key', 'a2616101616102'],
    ['duplicate key encoded two ways', 'a20102180103'],
    ['byte-string map key', 'a1410102'],
    ['float map key', 'a1f93c0002'],
    ['nesting deeper than maxDepth 4', '818181818100', { maxDepth: 4 }],
    ['input longer than maxBytes 4', '4401020304', { maxBytes: 4 }],
  ];
  return file('cbor', 'Strict CBOR decoding (RFC 8949): one well-formed, valid data item filling the input.', {
    defaults: { maxBytes: 65536, maxDepth: 16 },
    valid: valid.map(([name, hex]) => ({ name, hex, value: toVectorJson(decodeCborStrict(fromHex(hex))) })),
    invalid: invalid.map(([name, hex, options]) => ({
      name,
      hex,
      ...(options === undefined ? {} : { options: toVectorJson(options) }),
      error: errorCode(() => decodeCborStrict(fromHex(hex), options)).code,
    })),
  });
}

// ---------------------------------------------------------------------------------------------------------
const heartRatePayload: DevicePayload = { v: 1, dev: keyA.deviceId, seq: 1, t: T, type: 'heart_rate', data: { bpm: 72, rr_ms: [830, 845] } };

function coseVectors(): VectorFile {
  const signing = [
    { name: 'empty payload map', kid: keyA.deviceId, seed: keyA, payload: encodeCbor(new Map()) },
    { name: 'heart-rate payload', kid: keyA.deviceId, seed: keyA, payload: encodeDevicePayload(heartRatePayload) },
    {
      name: 'dose event payload, key b',
      kid: keyB.deviceId,
      seed: keyB,
      payload: encodeDevicePayload({ v: 1, dev: keyB.deviceId, seq: 17, t: T + 5000, type: 'dose_event', data: { event: 'taken', slot: 2 } }),
    },
  ].map((c) => {
    const seed = fromHex(c.seed.seed);
    const toBeSigned = coseSigStructure(COSE_PROTECTED_HEADER_EDDSA, c.payload);
    const signature = ed25519Sign(toBeSigned, seed);
    const message = signCoseSign1({ kid: c.kid, payload: c.payload, secretKey: seed });
    return {
      name: c.name,
      key: c.seed.name,
      kid: c.kid,
      payload: toHex(c.payload),
      sigStructure: toHex(toBeSigned),
      signature: toHex(signature),
      message: toHex(message),
    };
  });

  const good = signCoseSign1({ kid: keyA.deviceId, payload: encodeDevicePayload(heartRatePayload), secretKey: seedA });
  const decodedGood = decodeCoseSign1(good);
  const kid = new TextEncoder().encode(keyA.deviceId);
  const sig = decodedGood.signature;
  const payload = decodedGood.payloadBytes;
  const tagged = (parts: readonly CborEncodable[]): Uint8Array => encodeCbor(new CborTag(18, parts as never));
  const flipped = new Uint8Array(good);
  flipped[flipped.length - 1]! ^= 0x01;
  const valid = [
    { name: 'signed heart-rate message, key a', bytes: good, publicKey: publicA },
    { name: 'same message checked against key b (structure valid, signature invalid)', bytes: good, publicKey: publicB },
    { name: 'last signature byte flipped (structure valid, signature invalid)', bytes: flipped, publicKey: publicA },
  ].map((c) => {
    const cose = decodeCoseSign1(c.bytes);
    return {
      name: c.name,
      hex: toHex(c.bytes),
      publicKey: c.publicKey,
      expected: { protected: toHex(cose.protectedBytes), kid: cose.kid, payload: toHex(cose.payloadBytes), signature: toHex(cose.signature) },
      signatureValid: verifyCoseSign1(cose, createEd25519Verifier(fromHex(c.publicKey))),
    };
  });
  const invalidCases: [string, Uint8Array][] = [
    ['not CBOR (stray break)', fromHex('ff')],
    ['trailing byte after the message', Uint8Array.from([...good, 0x00])],
    ['truncated message', good.subarray(0, good.length - 1)],
    ['untagged COSE_Sign1 array', encodeCbor([COSE_PROTECTED_HEADER_EDDSA, new Map([[4, kid]]), payload, sig])],
    ['tag 98 (COSE_Sign) instead of 18', encodeCbor(new CborTag(98, [COSE_PROTECTED_HEADER_EDDSA, new Map([[4, kid]]), payload, sig]))],
    ['array of 3', tagged([COSE_PROTECTED_HEADER_EDDSA, new Map([[4, kid]]), payload])],
    ['protected header alg ES256 (-7)', tagged([fromHex('a10126'), new Map([[4, kid]]), payload, sig])],
    ['protected header {1:-8} in a non-preferred encoding', tagged([fromHex('a1013807'), new Map([[4, kid]]), payload, sig])],
    ['protected header as a map, not a bstr', tagged([new Map([[1, -8]]), new Map([[4, kid]]), payload, sig])],
    ['unprotected alg label', tagged([COSE_PROTECTED_HEADER_EDDSA, new Map<number, CborEncodable>([[1, -8], [4, kid]]), payload, sig])],
    ['no kid', tagged([COSE_PROTECTED_HEADER_EDDSA, new Map(), payload, sig])],
    ['kid as text, not bstr', tagged([COSE_PROTECTED_HEADER_EDDSA, new Map([[4, keyA.deviceId]]), payload, sig])],
    ['kid with a space (not a device id)', tagged([COSE_PROTECTED_HEADER_EDDSA, new Map([[4, new TextEncoder().encode('hr 0001')]]), payload, sig])],
    ['detached payload (nil)', tagged([COSE_PROTECTED_HEADER_EDDSA, new Map([[4, kid]]), null, sig])],
    ['signature of 63 bytes', tagged([COSE_PROTECTED_HEADER_EDDSA, new Map([[4, kid]]), payload, sig.subarray(0, 63)])],
    ['duplicate label in the unprotected map', fromHex(`d28443a10127a2044768722d30303031044768722d30303031${toHex(encodeCbor(payload))}5840${toHex(sig)}`)],
    ['indefinite-length payload bstr', fromHex(`d28443a10127a1044768722d303030315f41a0ff5840${toHex(sig)}`)],
    ['message above 4096 bytes', encodeCoseSign1({ kid: keyA.deviceId, payloadBytes: new Uint8Array(4100), signature: sig })],
  ];
  return file('cose-sign1', 'COSE_Sign1 device messages (RFC 9052 section 4.2, spec section 2): signing (byte-exact), structure decoding, signature checks.', {
    keys: VECTOR_KEYS.map((key) => ({ name: key.name, deviceId: key.deviceId, seed: key.seed, publicKey: toHex(ed25519PublicKey(fromHex(key.seed))) })),
    signing,
    valid,
    invalid: invalidCases.map(([name, bytes]) => ({ name, hex: toHex(bytes), error: errorCode(() => decodeCoseSign1(bytes)).code })),
  });
}

// ---------------------------------------------------------------------------------------------------------
const envelope = { v: 1, dev: keyA.deviceId, seq: 7, t: T };

function rawPayload(fields: Record<string, CborEncodable>, data: CborEncodable): Uint8Array {
  return encodeCbor(new Map<string, CborEncodable>([...Object.entries({ ...envelope, type: 'heart_rate' }), ['data', data], ...Object.entries(fields)]));
}

function payloadVectors(): VectorFile {
  const valid: [string, Uint8Array][] = [
    ['heart_rate with rr_ms', encodeDevicePayload({ ...envelope, type: 'heart_rate', data: { bpm: 72, rr_ms: [830, 845] } })],
    ['spo2 with pulse', encodeDevicePayload({ ...envelope, type: 'spo2', data: { pct: 97.5, pulse_bpm: 70 } })],
    ['body_temp (float 37.0 written as a double)', encodeDevicePayload({ ...envelope, type: 'body_temp', data: { celsius: 37 } })],
    ['body_temp with the integer 37 in the float field (accepted)', rawPayload({ type: 'body_temp' }, { celsius: 37 })],
    // The double 36.5 (fb 4042400000000000) rewritten as the half float f9 5090, as a size-optimising encoder would.
    ['body_temp with a half float 36.5 (accepted)', fromHex(toHex(rawPayload({ type: 'body_temp' }, { celsius: new CborFloat(36.5) })).replace('fb4042400000000000', 'f95090'))],
    ['blood_pressure', encodeDevicePayload({ ...envelope, type: 'blood_pressure', data: { systolic_mmhg: 120, diastolic_mmhg: 80, map_mmhg: 93.3, pulse_bpm: 64 } })],
    ['glucose', encodeDevicePayload({ ...envelope, type: 'glucose', data: { mg_dl: 104.5 } })],
    ['weight', encodeDevicePayload({ ...envelope, type: 'weight', data: { kg: 81.25 } })],
    ['steps', encodeDevicePayload({ ...envelope, type: 'steps', data: { count: 1200, interval_s: 900 } })],
    ['dose_event with kit and schedule', encodeDevicePayload({ ...envelope, type: 'dose_event', data: { event: 'taken', slot: 3, kit: '(01)09506000134352(21)A1B2(10)LOT7(17)271231', scheduled: T - 60000 } })],
    ['device_status', encodeDevicePayload({ ...envelope, type: 'device_status', data: { battery_pct: 81, fw: '1.4.2', clock_sync: 'gateway-downlink' } })],
    ['flag: heart rate 400 bpm (kept, flagged)', encodeDevicePayload({ ...envelope, type: 'heart_rate', data: { bpm: 400 } })],
    ['flag: SpO2 130 %', encodeDevicePayload({ ...envelope, type: 'spo2', data: { pct: 130 } })],
    ['flag: temperature 50 C', encodeDevicePayload({ ...envelope, type: 'body_temp', data: { celsius: 50 } })],
    ['flag: diastolic above systolic', encodeDevicePayload({ ...envelope, type: 'blood_pressure', data: { systolic_mmhg: 80, diastolic_mmhg: 120 } })],
    ['flag: clock never set (t in 1970)', encodeDevicePayload({ ...envelope, t: 12345, type: 'weight', data: { kg: 70 } })],
    ['flag: t in seconds instead of milliseconds', encodeDevicePayload({ ...envelope, t: T / 1000, type: 'weight', data: { kg: 70 } })],
    ['flag: unknown type (kept as is)', encodeDevicePayload({ ...envelope, type: 'ecg_strip', data: { lead: 'II' } })],
    ['flag: unknown keys at top level and in data', encodeDevicePayload({ ...envelope, type: 'heart_rate', data: { bpm: 60, extra: { confidence: new CborFloat(0.9) } }, extra: { fw_build: 'abc123' } })],
    ['flag: unknown dose event word', encodeDevicePayload({ ...envelope, type: 'dose_event', data: { event: 'spilled' } })],
  ];
  const invalid: [string, Uint8Array][] = [
    ['not a map', encodeCbor([1, 2])],
    ['integer keys', encodeCbor(new Map([[1, 1]]))],
    ['v missing', encodeCbor({ dev: keyA.deviceId })],
    ['v 2 (unsupported version)', rawPayload({ v: 2 }, { bpm: 72 })],
    ['dev not a device id', rawPayload({ dev: 'hr 0001' }, { bpm: 72 })],
    ['seq 0', rawPayload({ seq: 0 }, { bpm: 72 })],
    ['seq negative', rawPayload({ seq: -1 }, { bpm: 72 })],
    ['t beyond 2^53', rawPayload({ t: 2n ** 60n }, { bpm: 72 })],
    ['t as a float', rawPayload({ t: new CborFloat(T) }, { bpm: 72 })],
    ['type as an integer', rawPayload({ type: 1 }, { bpm: 72 })],
    ['data missing', encodeCbor(new Map<string, CborEncodable>(Object.entries({ ...envelope, type: 'heart_rate' })))],
    ['data as an array', rawPayload({}, [72])],
    ['bpm missing', rawPayload({}, {})],
    ['bpm as the float 72.0', rawPayload({}, { bpm: new CborFloat(72) })],
    ['bpm as text', rawPayload({}, { bpm: '72' })],
    ['rr_ms element as a float', rawPayload({}, { bpm: 72, rr_ms: [800, new CborFloat(1.5)] })],
    ['celsius NaN', rawPayload({ type: 'body_temp' }, { celsius: new CborFloat(NaN) })],
    ['celsius as text', rawPayload({ type: 'body_temp' }, { celsius: '37.0' })],
    ['event missing', rawPayload({ type: 'dose_event' }, {})],
    // rawPayload ends with the empty data map (a0); replace it with {"bpm": 72, "bpm": 73}.
    ['duplicate key "bpm" in data', fromHex(`${toHex(rawPayload({}, {})).slice(0, -2)}a26362706d18486362706d1849`)],
  ];
  return file('payload', 'Device payload maps (spec section 2): schemas (errors) and plausibility flags (never errors). Flag messages are not normative; code and path are.', {
    valid: valid.map(([name, bytes]) => {
      const decoded = decodeDevicePayload(bytes);
      return { name, hex: toHex(bytes), expected: { payload: toVectorJson(decoded.payload), flags: decoded.flags.map((f) => ({ code: f.code, path: f.path })) } };
    }),
    invalid: invalid.map(([name, bytes]) => ({ name, hex: toHex(bytes), ...errorCode(() => decodeDevicePayload(bytes)) })).map(({ code, ...rest }) => ({ ...rest, error: code })),
  });
}

// ---------------------------------------------------------------------------------------------------------
function deviceMessageVectors(): VectorFile {
  const heartRate = createDeviceMessage({ payload: heartRatePayload, secretKey: seedA });
  const dose = createDeviceMessage({ payload: { v: 1, dev: keyB.deviceId, seq: 17, t: T + 5000, type: 'dose_event', data: { event: 'taken', slot: 2 } }, secretKey: seedB });
  const flagged = createDeviceMessage({ payload: { ...heartRatePayload, seq: 2, data: { bpm: 400 } }, secretKey: seedA });
  const valid = [
    { name: 'heart rate, key a', bytes: heartRate, publicKey: publicA },
    { name: 'dose event, key b', bytes: dose, publicKey: publicB },
    { name: 'implausible heart rate: valid, flagged', bytes: flagged, publicKey: publicA },
  ].map((c) => {
    const decoded = decodeDeviceMessage(c.bytes, { verifier: createEd25519Verifier(fromHex(c.publicKey)) });
    return {
      name: c.name,
      hex: toHex(c.bytes),
      publicKey: c.publicKey,
      expected: { kid: decoded.cose.kid, payload: toVectorJson(decoded.payload), flags: decoded.flags.map((f) => ({ code: f.code, path: f.path })) },
    };
  });
  const impostor = signCoseSign1({ kid: keyA.deviceId, payload: encodeDevicePayload({ ...heartRatePayload, dev: keyB.deviceId }), secretKey: seedA });
  const badPayload = signCoseSign1({ kid: keyA.deviceId, payload: encodeCbor([1]), secretKey: seedA });
  const invalid = [
    { name: 'payload dev differs from kid', bytes: impostor, publicKey: publicA },
    { name: 'signature by another key', bytes: heartRate, publicKey: publicB },
    { name: 'signed payload that is not a map', bytes: badPayload, publicKey: publicA },
  ].map((c) => ({
    name: c.name,
    hex: toHex(c.bytes),
    publicKey: c.publicKey,
    error: errorCode(() => decodeDeviceMessage(c.bytes, { verifier: createEd25519Verifier(fromHex(c.publicKey)) })).code,
  }));
  return file('device-message', 'Whole device messages: COSE_Sign1 structure, then the signature under publicKey, then the payload, then dev = kid.', {
    valid,
    invalid,
  });
}

// ---------------------------------------------------------------------------------------------------------
function connectTokenVectors(): VectorFile {
  const signing = [
    { name: 'key a at 2026-01-01T00:00:00Z', key: keyA, iat: T },
    { name: 'key b', key: keyB, iat: T + 123_456 },
  ].map((c) => {
    const token = createConnectToken({ deviceId: c.key.deviceId, secretKey: fromHex(c.key.seed), issuedAtMs: c.iat });
    return { name: c.name, key: c.key.name, deviceId: c.key.deviceId, issuedAtMs: c.iat, token: toHex(token), payload: toHex(decodeConnectToken(token).cose.payloadBytes) };
  });
  const token = (fields: Record<string, CborEncodable>, kid: string = keyA.deviceId): Uint8Array =>
    signCoseSign1({ kid, payload: encodeCbor(new Map(Object.entries(fields))), secretKey: seedA });
  const good = { v: 1, dev: keyA.deviceId, purpose: 'connect', iat: T };
  const invalid: [string, Uint8Array][] = [
    ['extra key', token({ ...good, nonce: 1 })],
    ['iat missing', token({ v: 1, dev: keyA.deviceId, purpose: 'connect' })],
    ['v 2', token({ ...good, v: 2 })],
    ['purpose "upload"', token({ ...good, purpose: 'upload' })],
    ['iat as a float', token({ ...good, iat: new CborFloat(T) })],
    ['dev differs from kid', token({ ...good, dev: keyB.deviceId })],
    ['a device message offered as a token', createDeviceMessage({ payload: heartRatePayload, secretKey: seedA })],
  ];
  return file('connect-token', 'MQTT connect tokens (spec section 3): the password is a COSE_Sign1 whose payload is {v, dev, purpose: "connect", iat}. Freshness (300 s) and replay are checked by the gateway, not here.', {
    signing,
    valid: signing.map((s) => ({ name: s.name, hex: s.token, expected: toVectorJson(decodeConnectToken(fromHex(s.token)).token) })),
    invalid: invalid.map(([name, bytes]) => ({ name, hex: toHex(bytes), error: errorCode(() => decodeConnectToken(bytes)).code })),
  });
}

// ---------------------------------------------------------------------------------------------------------
function serialVectors(): VectorFile {
  const text = (s: string): Uint8Array => new TextEncoder().encode(s);
  const message = createDeviceMessage({ payload: { v: 1, dev: keyB.deviceId, seq: 3, t: T, type: 'dose_event', data: { event: 'compartment_opened', slot: 1 } }, secretKey: seedB });
  const crcInputs: [string, Uint8Array][] = [
    ['check value "123456789"', text('123456789')],
    ['empty', new Uint8Array()],
    ['one zero byte', fromHex('00')],
    ['a device message', message],
  ];
  const cobsInputs: [string, Uint8Array][] = [
    ['empty', new Uint8Array()],
    ['one zero', fromHex('00')],
    ['two zeros', fromHex('0000')],
    ['00 11 00', fromHex('001100')],
    ['11 22 00 33', fromHex('11220033')],
    ['no zeros', fromHex('11223344')],
    ['254 non-zero bytes (a full block)', Uint8Array.from({ length: 254 }, (_, i) => i + 1)],
    ['255 non-zero bytes', Uint8Array.from({ length: 255 }, (_, i) => (i % 255) + 1)],
  ];
  const frames: [string, Uint8Array][] = [
    ['"123456789"', text('123456789')],
    ['empty payload', new Uint8Array()],
    ['a signed dose event', message],
  ];
  const goodFrame = encodeSerialFrame(fromHex('a1'));
  const badCrc = goodFrame.slice(0, -1);
  badCrc[2]! ^= 0x01;
  const invalidFrames: [string, Uint8Array][] = [
    ['CRC mismatch', badCrc],
    ['shorter than the CRC', cobsEncode(fromHex('010203'))],
    ['COBS code runs past the end', fromHex('0511')],
    ['zero byte inside a frame', fromHex('020100')],
    ['empty frame', new Uint8Array()],
  ];
  const streamFrames = [encodeSerialFrame(fromHex('a1')), encodeSerialFrame(fromHex('b2b2')), encodeSerialFrame(fromHex('c3c3c3'))] as const;
  const corrupted = streamFrames[1].slice();
  corrupted[1]! ^= 0xff;
  const stream = Uint8Array.from([0x00, 0x12, 0x34, ...streamFrames[0], ...corrupted, 0x00, 0x00, ...streamFrames[2], ...streamFrames[0]]);
  return file('serial', 'Serial framing (spec section 3): CRC-32 (IEEE 802.3), COBS, frames = COBS(payload || crc32le(payload)) || 00, and a stream that a parser must resynchronise on.', {
    crc32: crcInputs.map(([name, bytes]) => ({ name, hex: toHex(bytes), crc32: crc32(bytes), crc32le: toHex(Uint8Array.from([crc32(bytes) & 0xff, (crc32(bytes) >>> 8) & 0xff, (crc32(bytes) >>> 16) & 0xff, crc32(bytes) >>> 24])) })),
    cobs: cobsInputs.map(([name, bytes]) => ({ name, decoded: toHex(bytes), encoded: toHex(cobsEncode(bytes)) })),
    valid: frames.map(([name, payload]) => ({ name, payload: toHex(payload), frame: toHex(encodeSerialFrame(payload)) })),
    invalid: invalidFrames.map(([name, bytes]) => ({ name, frameWithoutDelimiter: toHex(bytes), error: errorCode(() => decodeSerialFrame(bytes)).code })),
    streams: [
      {
        name: 'leading 00, garbage glued to a frame, a bad frame, empty frames, then good frames',
        stream: toHex(stream),
        results: [{ error: 'E_COBS' }, { error: 'E_FRAME_CRC' }, { payload: 'c3c3c3' }, { payload: 'a1' }],
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------
function gattVectors(): VectorFile {
  const valid: [string, string, string][] = [
    ['heart rate: uint8 value, no options', '2a37', '0048'],
    ['heart rate: uint16, contact detected, energy, RR intervals', '2a37', '1f48000a0000040002'],
    ['heart rate: contact supported, not detected', '2a37', '0448'],
    ['heart rate: reserved flag bits set (ignored, reported)', '2a37', 'e048'],
    ['blood pressure: mmHg with time stamp, pulse, user, status', '2a35', '1e780050005d00e907030f0a1e004000010900'],
    ['blood pressure: kPa with a NaN MAP', '2a35', '01a0f0aaf0ff07'],
    ['temperature: 37.1 C, time stamp, body', '2a1c', '06730100ffe907030f0a1e0002'],
    ['temperature: Fahrenheit +INFINITY', '2a1c', '01feff7f00'],
    ['temperature: NRes', '2a1c', '0000008000'],
    ['glucose: full record, kg/L, capillary whole blood, finger, status', '2a18', '1b0700e907030f0a1e00f6ff5fb0110108'],
    ['glucose: mol/L, ISF, location not available, unknown base time', '2a18', '0601000000000000000053d0f9'],
    ['glucose: sequence and base time only', '2a18', '002a00e907030f0a1e00'],
    ['PLX spot check: every field, device clock not set', '2a5e', '1f61004800e907030f0a1e008000200000fa00'],
    ['PLX spot check: SpO2 and PR only', '2a5e', '0061004800'],
    ['PLX continuous: normal, fast, slow, device status', '2a5f', '0b610048006200490060004700008001'],
    ['PLX continuous: NaN SpO2 (sensor off)', '2a5f', '00ff074800'],
    ['weight: SI 70 kg, user, BMI, height', '2a9d', '0cb03603e500d606'],
    ['weight: imperial 154.5 lb', '2a9d', '015a3c'],
    ['weight: measurement unsuccessful', '2a9d', '00ffff'],
    ['current time', '2a2b', 'e907030f0a1e00068002'],
  ];
  const invalid: [string, string, string][] = [
    ['unknown characteristic', '2a19', '00'],
    ['empty value', '2a37', ''],
    ['heart rate: uint16 flag, one byte', '2a37', '0148'],
    ['heart rate: energy expended cut off', '2a37', '08480a'],
    ['heart rate: RR flag without RR intervals', '2a37', '1048'],
    ['heart rate: odd RR byte', '2a37', '1048000400'],
    ['heart rate: trailing byte', '2a37', '004800'],
    ['blood pressure: time stamp cut off', '2a35', '02780050005d00e90703'],
    ['blood pressure: month 13', '2a35', '02780050005d00e9070d0f0a1e00'],
    ['temperature: FLOAT cut off', '2a1c', '00730100'],
    ['glucose: concentration promised, missing', '2a18', '020700e907030f0a1e00'],
    ['PLX spot check: 24-bit status cut off', '2a5e', '04610048000000'],
    ['PLX continuous: measurement status cut off', '2a5f', '046100480080'],
    ['weight: BMI and height promised, height missing', '2a9d', '08b036e500'],
    ['current time: day of week 8', '2a2b', 'e907030f0a1e00088002'],
    ['current time: hours 24', '2a2b', 'e907030f181e00068002'],
  ];
  return file('gatt', 'BLE health characteristic values (spec section 3; GATT Specification Supplement). uuid is the 16-bit UUID in lower-case hex.', {
    valid: valid.map(([name, uuid, hex]) => ({ name, uuid, hex, expected: toVectorJson(decodeGattValue(uuid, fromHex(hex))) })),
    invalid: invalid.map(([name, uuid, hex]) => ({ name, uuid, hex, error: errorCode(() => decodeGattValue(uuid, fromHex(hex))).code })),
  });
}

// ---------------------------------------------------------------------------------------------------------
function ieee11073Vectors(): VectorFile {
  const sfloats = [0x0072, 0xf16e, 0xffff, 0x2001, 0x8800, 0xf000, 0x17ff, 0x07ff, 0x0800, 0x07fe, 0x0802, 0x0801, 0x07fd, 0x0803];
  const floats = [0xff000173, 0xfe00e4e1, 0x00ffffff, 0x0000006e, 0x7f000001, 0x007fffff, 0x00800000, 0x007ffffe, 0x00800002, 0x00800001, 0x017fffff];
  const le = (raw: number, bytes: number): string => toHex(Uint8Array.from({ length: bytes }, (_, i) => (raw >>> (8 * i)) & 0xff));
  return file('ieee11073', 'IEEE 11073-20601 SFLOAT (16-bit) and FLOAT (32-bit). raw is the value as an unsigned integer, hex its little-endian bytes on the air.', {
    sfloat: sfloats.map((raw) => ({ raw, hex: le(raw, 2), expected: toVectorJson(decodeSfloat(raw)) })),
    float: floats.map((raw) => ({ raw, hex: le(raw, 4), expected: toVectorJson(decodeFloat(raw)) })),
  });
}

/** Every vector file, by file name. */
export function buildVectorFiles(): Readonly<Record<string, VectorFile>> {
  return {
    'cbor.json': cborVectors(),
    'cose-sign1.json': coseVectors(),
    'payload.json': payloadVectors(),
    'device-message.json': deviceMessageVectors(),
    'connect-token.json': connectTokenVectors(),
    'serial.json': serialVectors(),
    'gatt.json': gattVectors(),
    'ieee11073.json': ieee11073Vectors(),
  };
}

export function serializeVectorFile(vectorFile: VectorFile): string {
  return `${JSON.stringify(vectorFile, null, 2)}\n`;
}
