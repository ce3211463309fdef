/**
 * A message from the gateway to a device (docs/device-downlink.md, for device makers): a COSE_Sign1 exactly as
 * in spec section 2 (tag 18, protected `{1: -8}` as `a1 01 27`, unprotected `{4: kid}`, payload bstr,
 * 64-byte Ed25519 signature over `["Signature1", h'a10127', h'', payload]`), but signed with the gateway's key
 * and with the gateway's log origin as kid. Its payload is a CBOR map with text keys:
 *
 *   { "v": 1, "gw": <origin>, "dev": <target device id>, "t": <gateway clock, ms>, "type": <text>, "data": {...} }
 *
 * `type` is `notice` (this module); `schedule`, `reminder` and `ack` come later (issue 6). Keys are written in
 * that order with shortest heads (encodeCbor), but a device must not depend on order.
 */
import {
  CborTag,
  COSE_HEADER_KID,
  COSE_PROTECTED_HEADER_EDDSA,
  COSE_SIGN1_TAG,
  coseSigStructure,
  createEd25519Verifier,
  decodeCborStrict,
  encodeCbor,
  isCborMap,
  isDeviceId,
  type CborEncodable,
  type CborMap,
  type CborValue,
} from '@trialgate/firmware-protocol';
import type { DownlinkSigner } from './downlink-signer.js';
import { DownlinkError } from './downlink-error.js';

export const DOWNLINK_VERSION = 1;

export type DownlinkType = 'notice' | 'schedule' | 'reminder' | 'ack';

export interface DownlinkMessage {
  readonly gw: string;
  readonly dev: string;
  readonly t: number;
  readonly type: DownlinkType | (string & {});
  readonly data: CborMap;
}

export interface EncodeDownlinkParameters {
  readonly dev: string;
  readonly t: number;
  readonly type: DownlinkType;
  readonly data: { readonly [key: string]: CborEncodable };
}

export function signDownlinkMessage(parameters: EncodeDownlinkParameters, signer: DownlinkSigner): Uint8Array {
  const payload = encodeCbor({
    v: DOWNLINK_VERSION,
    gw: signer.origin,
    dev: parameters.dev,
    t: parameters.t,
    type: parameters.type,
    data: parameters.data,
  });
  const signature = signer.sign(coseSigStructure(COSE_PROTECTED_HEADER_EDDSA, payload));
  // firmware-protocol's encodeCoseSign1 writes device messages and requires a device id as kid; the
  // gateway's kid is its origin (which may contain '/'), so the same four-element structure is written here.
  return encodeCbor(
    new CborTag(COSE_SIGN1_TAG, [
      COSE_PROTECTED_HEADER_EDDSA,
      new Map([[COSE_HEADER_KID, new TextEncoder().encode(signer.origin)]]),
      payload,
      signature,
    ]),
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes and verifies a downlink message, as a device (or the simulator) does: the structure, the kid equal
 * to the expected origin, the signature under the gateway's public key, then the payload, addressed to
 * `expectedDevice`.
 *
 * Attacker-controlled: on a device, these bytes arrive from the network. Only DownlinkError (or the strict
 * CBOR decoder's ProtocolError) is thrown.
 */
export function openDownlinkMessage(
  bytes: Uint8Array,
  expected: { readonly origin: string; readonly gatewayPublicKey: Uint8Array; readonly device: string },
): DownlinkMessage {
  const fail = (why: string): never => {
    throw new DownlinkError('E_DOWNLINK_INVALID', `not a valid downlink message: ${why}`);
  };
  const value = decodeCborStrict(bytes, { maxBytes: 16 * 1024, maxDepth: 8 });
  if (!(value instanceof CborTag) || value.tag !== COSE_SIGN1_TAG) return fail('not a COSE_Sign1 (tag 18)');
  const body = value.value;
  if (!Array.isArray(body) || body.length !== 4) return fail('not a 4-element COSE_Sign1');
  const [protectedBytes, unprotected, payload, signature] = body as readonly CborValue[];
  if (!(protectedBytes instanceof Uint8Array) || !equalBytes(protectedBytes, COSE_PROTECTED_HEADER_EDDSA)) return fail('protected header is not a10127');
  if (!isCborMap(unprotected) || unprotected.size !== 1) return fail('unprotected header is not {4: kid}');
  const kid = unprotected.get(COSE_HEADER_KID);
  if (!(kid instanceof Uint8Array)) return fail('no kid');
  let kidText: string;
  try {
    kidText = utf8.decode(kid);
  } catch {
    return fail('kid is not UTF-8');
  }
  if (kidText !== expected.origin) return fail('kid is not this gateway');
  if (!(payload instanceof Uint8Array) || !(signature instanceof Uint8Array) || signature.length !== 64) return fail('bad payload or signature');
  if (!createEd25519Verifier(expected.gatewayPublicKey).verify(coseSigStructure(protectedBytes, payload), signature)) {
    return fail('the signature does not verify under the gateway key');
  }
  const map = decodeCborStrict(payload, { maxBytes: payload.length, maxDepth: 6 });
  if (!isCborMap(map)) return fail('payload is not a map');
  const gw = map.get('gw');
  const dev = map.get('dev');
  const t = map.get('t');
  const type = map.get('type');
  const data = map.get('data');
  if (map.get('v') !== DOWNLINK_VERSION) return fail('unknown version');
  if (gw !== expected.origin) return fail('gw is not this gateway');
  if (typeof dev !== 'string' || !isDeviceId(dev) || dev !== expected.device) return fail('addressed to another device');
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) return fail('t is not a time');
  if (typeof type !== 'string') return fail('type is not text');
  if (!isCborMap(data)) return fail('data is not a map');
  return { gw, dev, t, type, data };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
