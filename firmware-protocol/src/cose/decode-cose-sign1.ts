import { CborTag, type CborValue } from '../cbor/cbor-value.js';
import { decodeCborStrict } from '../cbor/decode-cbor-strict.js';
import { describeCborValue } from '../cbor/describe-cbor-value.js';
import { ED25519_SIGNATURE_LENGTH } from '../crypto/ed25519-keys.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { DEVICE_ID_PATTERN } from '../identity/device-id.js';
import {
  COSE_HEADER_KID,
  COSE_PROTECTED_HEADER_EDDSA,
  COSE_SIGN1_TAG,
  DEVICE_MESSAGE_DEFAULT_MAX_BYTES,
  type CoseSign1,
} from './cose-sign1.js';

export interface DecodeCoseSign1Options {
  /** Reject larger messages with E_CBOR_TOO_LARGE (default 4096 bytes). */
  readonly maxBytes?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes the structure of a device message: `#6.18([bstr a10127, {4: bstr kid}, bstr payload, bstr(64)])`
 * (spec section 2). Does not verify the signature and does not decode the payload.
 *
 * Attacker-controlled: `bytes` are what a device (or anyone on the wire) sent. Strict CBOR first (every
 * E_CBOR_* code), then, in this order: tag 18 (E_COSE_TAG: an untagged array is refused, since the spec writes
 * the tag), a 4-element array (E_COSE_STRUCTURE), the protected header exactly `a1 01 27` (E_COSE_PROTECTED_HEADER:
 * any other encoding of `{1: -8}` is refused too, so that every device signs the same bytes), an unprotected
 * map holding only label 4 (E_COSE_STRUCTURE for any other label: unprotected headers are not signed, and an
 * `alg` there would contradict the protected one, RFC 9052 section 3), a kid that is a bstr of UTF-8 text
 * forming a device id (E_COSE_KID), a non-nil payload bstr (E_COSE_STRUCTURE: detached payloads are not part
 * of the protocol) and a 64-byte signature bstr (E_COSE_SIGNATURE_LENGTH).
 */
export function decodeCoseSign1(bytes: Uint8Array, options: DecodeCoseSign1Options = {}): CoseSign1 {
  const value = decodeCborStrict(bytes, { maxBytes: options.maxBytes ?? DEVICE_MESSAGE_DEFAULT_MAX_BYTES });
  if (!(value instanceof CborTag) || value.tag !== COSE_SIGN1_TAG) {
    throw new ProtocolError(
      'E_COSE_TAG',
      value instanceof CborTag
        ? `expected CBOR tag 18 (COSE_Sign1) at byte 0, found tag ${value.tag.toString()}`
        : `expected CBOR tag 18 (COSE_Sign1, first byte 0xd2) at byte 0, found ${describeCborValue(value)} (first byte 0x${hex(bytes[0])})`,
      { details: { offset: 0 } },
    );
  }
  const body = value.value;
  if (!Array.isArray(body) || body.length !== 4) {
    throw new ProtocolError(
      'E_COSE_STRUCTURE',
      `COSE_Sign1 must be an array of 4 elements [protected, unprotected, payload, signature] at byte 1, found ${describeCborValue(body)}`,
      { details: { offset: 1 } },
    );
  }
  const [protectedBytes, unprotected, payload, signature] = body as readonly CborValue[];

  if (!(protectedBytes instanceof Uint8Array)) {
    throw new ProtocolError('E_COSE_PROTECTED_HEADER', `protected header must be a byte string, found ${describeCborValue(protectedBytes)}`, {
      details: { field: 'protected' },
    });
  }
  if (!equalBytes(protectedBytes, COSE_PROTECTED_HEADER_EDDSA)) {
    throw new ProtocolError(
      'E_COSE_PROTECTED_HEADER',
      `protected header must be exactly a10127 ({1: -8}, alg EdDSA), found ${toHex(protectedBytes) || '(empty)'}`,
      { details: { field: 'protected', found: toHex(protectedBytes) } },
    );
  }

  if (!(unprotected instanceof Map)) {
    throw new ProtocolError('E_COSE_STRUCTURE', `unprotected header must be a map {4: kid}, found ${describeCborValue(unprotected)}`, {
      details: { field: 'unprotected' },
    });
  }
  for (const label of unprotected.keys()) {
    if (label !== COSE_HEADER_KID) {
      throw new ProtocolError(
        'E_COSE_STRUCTURE',
        `unprotected header may hold only label 4 (kid), found label ${typeof label === 'string' ? JSON.stringify(label) : label.toString()}`,
        { details: { field: 'unprotected', label: typeof label === 'bigint' ? label.toString() : label } },
      );
    }
  }
  const kid = decodeKid(unprotected.get(COSE_HEADER_KID), unprotected.has(COSE_HEADER_KID));

  if (!(payload instanceof Uint8Array)) {
    throw new ProtocolError(
      'E_COSE_STRUCTURE',
      `payload must be a byte string holding the CBOR payload map, found ${describeCborValue(payload)}`,
      { details: { field: 'payload' } },
    );
  }
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_LENGTH) {
    throw new ProtocolError(
      'E_COSE_SIGNATURE_LENGTH',
      signature instanceof Uint8Array
        ? `signature must be ${ED25519_SIGNATURE_LENGTH} bytes (Ed25519), found ${signature.length}`
        : `signature must be a byte string of ${ED25519_SIGNATURE_LENGTH} bytes, found ${describeCborValue(signature)}`,
      { details: { field: 'signature' } },
    );
  }
  return { protectedBytes, kid, payloadBytes: payload, signature };
}

function decodeKid(kid: CborValue, present: boolean): string {
  if (!present) {
    throw new ProtocolError('E_COSE_KID', 'unprotected header has no kid (label 4)', { details: { field: 'kid' } });
  }
  if (!(kid instanceof Uint8Array)) {
    throw new ProtocolError(
      'E_COSE_KID',
      `kid (label 4) must be a byte string holding the UTF-8 device id, found ${describeCborValue(kid)}`,
      { details: { field: 'kid' } },
    );
  }
  let text: string;
  try {
    text = utf8.decode(kid);
  } catch (cause) {
    throw new ProtocolError('E_COSE_KID', `kid bytes ${toHex(kid)} are not valid UTF-8`, { details: { field: 'kid' }, cause });
  }
  if (!DEVICE_ID_PATTERN.test(text)) {
    throw new ProtocolError('E_COSE_KID', `kid ${JSON.stringify(text)} is not a device id (${DEVICE_ID_PATTERN.source})`, {
      details: { field: 'kid', kid: text.slice(0, 80) },
    });
  }
  return text;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}
