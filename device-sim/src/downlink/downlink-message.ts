import {
  CborTag,
  COSE_HEADER_KID,
  COSE_PROTECTED_HEADER_EDDSA,
  COSE_SIGN1_TAG,
  coseSigStructure,
  decodeCborStrict,
  isCborMap,
  type CborMap,
  type CborValue,
  type Ed25519Verifier,
} from '@trialgate/firmware-protocol';
import { SimError } from '../errors/sim-error.js';

/** Largest downlink message the simulator decodes; gateway notices are a few hundred bytes. */
export const DOWNLINK_MAX_BYTES = 16 * 1024;

/**
 * A verified message from the gateway on `tg/v1/dev/{id}/down`: a COSE_Sign1 signed with the gateway's key,
 * kid = the gateway's origin, payload `{v: 1, gw, dev, t, type, data}` (`type` is `notice` now; `schedule`,
 * `reminder` and `ack` come with issue 6). A notice's `data` is `{code, message, disposition, seq?}`.
 */
export interface DownlinkMessage {
  readonly kid: string;
  readonly gw: string;
  readonly dev: string;
  readonly t: number;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes and verifies a downlink message for device `deviceId`. Throws `E_SIM_DOWNLINK_INVALID` (with the
 * reason in `details.reason`) for anything not well-formed, not signed by the gateway key, or addressed to
 * another device; the device ignores such a message and logs it.
 *
 * Attacker-controlled: anyone able to publish on the broker could put bytes on a device's downlink topic, so
 * nothing is trusted before the signature is checked, and strict CBOR decoding (size and depth limits,
 * definite lengths) comes first.
 */
export function decodeDownlinkMessage(bytes: Uint8Array, verifier: Ed25519Verifier, deviceId: string): DownlinkMessage {
  let outer: CborValue;
  try {
    outer = decodeCborStrict(bytes, { maxBytes: DOWNLINK_MAX_BYTES, maxDepth: 8 });
  } catch (cause) {
    throw invalid('cbor', 'downlink is not well-formed CBOR', cause);
  }
  if (!(outer instanceof CborTag) || outer.tag !== COSE_SIGN1_TAG || !Array.isArray(outer.value) || outer.value.length !== 4) {
    throw invalid('structure', 'downlink is not a tagged COSE_Sign1 array of 4');
  }
  const [protectedBytes, unprotected, payload, signature] = outer.value as readonly CborValue[];
  if (!(protectedBytes instanceof Uint8Array) || !sameBytes(protectedBytes, COSE_PROTECTED_HEADER_EDDSA)) {
    throw invalid('structure', 'downlink protected header is not {1: -8}');
  }
  if (!isCborMap(unprotected) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw invalid('structure', 'downlink COSE_Sign1 fields have the wrong types');
  }
  const kidBytes = unprotected.get(COSE_HEADER_KID);
  if (!(kidBytes instanceof Uint8Array)) throw invalid('structure', 'downlink has no kid');
  let kid: string;
  try {
    kid = utf8.decode(kidBytes);
  } catch (cause) {
    throw invalid('structure', 'downlink kid is not UTF-8', cause);
  }
  if (!verifier.verify(coseSigStructure(protectedBytes, payload), signature)) {
    throw invalid('signature', 'downlink signature does not verify under the gateway key');
  }
  let body: CborValue;
  try {
    body = decodeCborStrict(payload, { maxBytes: DOWNLINK_MAX_BYTES, maxDepth: 8 });
  } catch (cause) {
    throw invalid('payload', 'downlink payload is not well-formed CBOR', cause);
  }
  if (!isCborMap(body)) throw invalid('payload', 'downlink payload is not a map');
  const v = body.get('v');
  const gw = body.get('gw');
  const dev = body.get('dev');
  const t = body.get('t');
  const type = body.get('type');
  const data = body.get('data');
  if (v !== 1) throw invalid('payload', 'downlink payload version is not 1');
  if (typeof gw !== 'string' || typeof dev !== 'string' || typeof type !== 'string') {
    throw invalid('payload', 'downlink payload gw, dev and type must be text');
  }
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) throw invalid('payload', 'downlink payload t must be a uint');
  if (!isCborMap(data)) throw invalid('payload', 'downlink payload data must be a map');
  if (dev !== deviceId) throw invalid('addressee', `downlink is addressed to ${JSON.stringify(dev.slice(0, 64))}`);
  return { kid, gw, dev, t, type, data: toPlain(data) };
}

/** A CBOR map with text keys as a plain object (nested maps too; other keys are dropped). */
function toPlain(map: CborMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of map) {
    if (typeof key !== 'string' || key === '__proto__') continue;
    out[key] = isCborMap(value) ? toPlain(value) : value;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function invalid(reason: string, message: string, cause?: unknown): SimError {
  return new SimError('E_SIM_DOWNLINK_INVALID', message, cause === undefined ? { details: { reason } } : { details: { reason }, cause });
}
