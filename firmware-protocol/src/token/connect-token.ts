import type { CborValue } from '../cbor/cbor-value.js';
import { decodeCborStrict } from '../cbor/decode-cbor-strict.js';
import { describeCborValue } from '../cbor/describe-cbor-value.js';
import { encodeCbor } from '../cbor/encode-cbor.js';
import type { CoseSign1 } from '../cose/cose-sign1.js';
import { decodeCoseSign1 } from '../cose/decode-cose-sign1.js';
import { signCoseSign1 } from '../cose/sign-cose-sign1.js';
import type { Ed25519Signer } from '../crypto/ed25519-keys.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { assertDeviceId } from '../identity/device-id.js';

/**
 * MQTT connect tokens (spec section 3): the MQTT password is a COSE_Sign1 (section 2) signed by the device key,
 * whose payload is `{"v": 1, "dev": <device id>, "purpose": "connect", "iat": <ms since the Unix epoch>}`.
 */
export interface ConnectToken {
  readonly v: 1;
  readonly dev: string;
  readonly purpose: 'connect';
  /** Issued at, ms since the Unix epoch (the device's clock). */
  readonly iat: number;
}

export interface DecodedConnectToken {
  readonly cose: CoseSign1;
  readonly token: ConnectToken;
}

/** Spec section 3: the gateway accepts a token only within 300 s of its own clock (either direction). */
export const CONNECT_TOKEN_MAX_SKEW_MS = 300_000;

export interface CreateConnectTokenParameters {
  readonly deviceId: string;
  /** The device's 32-byte Ed25519 seed, or a signer built once with `createEd25519Signer`. */
  readonly secretKey: Uint8Array | Ed25519Signer;
  readonly issuedAtMs: number;
}

/** Writes the token payload with keys in the spec's order (`v, dev, purpose, iat`) and signs it. */
export function createConnectToken(parameters: CreateConnectTokenParameters): Uint8Array {
  assertDeviceId(parameters.deviceId);
  if (!Number.isSafeInteger(parameters.issuedAtMs) || parameters.issuedAtMs < 0) {
    throw new ProtocolError('E_TOKEN_SCHEMA', 'issuedAtMs must be a non-negative integer (ms since the Unix epoch)', {
      details: { path: 'iat' },
    });
  }
  const payload = encodeCbor(
    new Map<string, number | string>([
      ['v', 1],
      ['dev', parameters.deviceId],
      ['purpose', 'connect'],
      ['iat', parameters.issuedAtMs],
    ]),
  );
  return signCoseSign1({ kid: parameters.deviceId, payload, secretKey: parameters.secretKey });
}

export interface DecodeConnectTokenOptions {
  /** Default 4096 bytes, as for device messages. */
  readonly maxBytes?: number;
}

const TOKEN_KEYS = ['v', 'dev', 'purpose', 'iat'];

/**
 * Decodes a connect token's structure and payload. Does not check the signature, the freshness
 * (`isConnectTokenFresh`) or replay: the gateway does, with the registry's key and its own clock.
 *
 * Attacker-controlled: the MQTT password field, sent before the client is authenticated. Strict: the payload
 * must be exactly the four keys of the spec (a token carries no extensions, E_TOKEN_SCHEMA otherwise), `v` 1,
 * `purpose` "connect" (so that a signed device message can never pass as a token), `dev` equal to the kid
 * (E_KID_MISMATCH).
 */
export function decodeConnectToken(bytes: Uint8Array, options: DecodeConnectTokenOptions = {}): DecodedConnectToken {
  const cose = decodeCoseSign1(bytes, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  const payload = decodeCborStrict(cose.payloadBytes, { maxBytes: cose.payloadBytes.length, preserveFloats: true });
  if (!(payload instanceof Map)) throw schema('', 'a map {v, dev, purpose, iat}', payload);
  for (const key of payload.keys()) {
    if (typeof key !== 'string' || !TOKEN_KEYS.includes(key)) {
      throw new ProtocolError('E_TOKEN_SCHEMA', `token payload: unexpected key ${typeof key === 'string' ? JSON.stringify(key) : key.toString()}; a token holds exactly v, dev, purpose, iat`, {
        details: { path: typeof key === 'string' ? key : key.toString() },
      });
    }
  }
  for (const key of TOKEN_KEYS) {
    if (!payload.has(key)) {
      throw new ProtocolError('E_TOKEN_SCHEMA', `token payload: ${key} is missing`, { details: { path: key } });
    }
  }
  const v = payload.get('v');
  if (v !== 1) throw schema('v', 'the integer 1', v);
  const dev = payload.get('dev');
  if (typeof dev !== 'string') throw schema('dev', 'a text string (the device id)', dev);
  const purpose = payload.get('purpose');
  if (purpose !== 'connect') throw schema('purpose', 'the text "connect"', purpose);
  const iat = payload.get('iat');
  if (typeof iat !== 'number' || iat < 0) throw schema('iat', `an unsigned integer up to ${Number.MAX_SAFE_INTEGER} (ms)`, iat);
  if (dev !== cose.kid) {
    throw new ProtocolError('E_KID_MISMATCH', `token dev ${JSON.stringify(dev)} differs from the kid ${JSON.stringify(cose.kid)}`, {
      details: { kid: cose.kid, dev, path: 'dev' },
    });
  }
  return { cose, token: { v: 1, dev, purpose: 'connect', iat } };
}

/** Spec section 3: `|nowMs - iat| <= maxSkewMs` (300 s by default). Replay is the caller's to check. */
export function isConnectTokenFresh(token: ConnectToken, nowMs: number, maxSkewMs: number = CONNECT_TOKEN_MAX_SKEW_MS): boolean {
  return Math.abs(nowMs - token.iat) <= maxSkewMs;
}

function schema(path: string, expected: string, found: CborValue): ProtocolError {
  return new ProtocolError('E_TOKEN_SCHEMA', `token payload${path === '' ? '' : ` ${path}`}: expected ${expected}, found ${describeCborValue(found)}`, {
    details: { path, expected, found: describeCborValue(found) },
  });
}
