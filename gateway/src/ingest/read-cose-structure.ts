/**
 * The structure of a device message (spec section 2) read without decoding it into values, for the common
 * case: the bytes exactly as the spec writes them,
 *
 *   d2 84 43 a1 01 27 a1 04 <bstr kid> <bstr payload> 58 40 <64-byte signature>
 *
 * with a kid of 1-64 device-id characters. It runs on the main thread for every message (issue 3: the main
 * thread runs the broker and the log, and was the busier one), where the general strict decoder cost a
 * value per item, copies of every byte string and a Map. The parts it returns are views into `bytes`, not
 * copies; the kid is the sender's own string when they match (the usual case), so nothing is allocated for
 * it either.
 *
 * Attacker-controlled: `bytes` are what a device sent. This reader only ever says "this is the common shape,
 * and here are its parts" or "not the common shape" (null): on null the caller decodes with
 * `decodeCoseSign1`, the strict reference, which accepts the other well-formed encodings (non-preferred
 * heads, say) and words every refusal. Whenever this returns parts, the reference accepts the same bytes with
 * the same parts: a differential property test (read-cose-structure.test.ts) pins that.
 */
import type { CoseSign1 } from '@trialgate/firmware-protocol';

const SIGNATURE_LENGTH = 64;
const MAX_KID_LENGTH = 64;

/** Device-id characters (spec section 1: `[A-Za-z0-9._-]`), by byte value. */
const DEVICE_ID_BYTE = ((): Uint8Array => {
  const table = new Uint8Array(256);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-') table[c.charCodeAt(0)] = 1;
  return table;
})();

/**
 * The parts of a device message in the common shape, or null when `bytes` are anything else (longer than
 * `maxBytes`, another encoding, malformed): then decode with `decodeCoseSign1`. `sender` (the device the
 * transport authenticated, or null) only saves building the kid's string when it is the same.
 */
export function readCoseSign1Structure(bytes: Uint8Array, maxBytes: number, sender: string | null): CoseSign1 | null {
  const length = bytes.length;
  if (length > maxBytes || length < 8 + 1 + 1 + 2 + SIGNATURE_LENGTH) return null;
  // Tag 18, array of 4, protected bstr a10127, unprotected map of one entry with label 4.
  if (bytes[0] !== 0xd2 || bytes[1] !== 0x84 || bytes[2] !== 0x43 || bytes[3] !== 0xa1 || bytes[4] !== 0x01 || bytes[5] !== 0x27) return null;
  if (bytes[6] !== 0xa1 || bytes[7] !== 0x04) return null;

  // kid: a bstr of 1-64 device-id characters, with a 1- or 2-byte head.
  let at = 8;
  const kidHead = bytes[at] ?? 0;
  let kidLength: number;
  if (kidHead > 0x40 && kidHead < 0x58) {
    kidLength = kidHead - 0x40;
    at += 1;
  } else if (kidHead === 0x58) {
    kidLength = bytes[at + 1] ?? 0;
    at += 2;
  } else {
    return null;
  }
  if (kidLength === 0 || kidLength > MAX_KID_LENGTH || at + kidLength > length) return null;
  const kidStart = at;
  for (let i = kidStart; i < kidStart + kidLength; i += 1) if (DEVICE_ID_BYTE[bytes[i] ?? 0] !== 1) return null;
  at += kidLength;

  // payload: a bstr with a 1-, 2-, 3- or 5-byte head.
  const payloadHead = bytes[at] ?? 0;
  let payloadLength: number;
  if (payloadHead >= 0x40 && payloadHead < 0x58) {
    payloadLength = payloadHead - 0x40;
    at += 1;
  } else if (payloadHead === 0x58) {
    payloadLength = bytes[at + 1] ?? 0;
    at += 2;
  } else if (payloadHead === 0x59) {
    payloadLength = ((bytes[at + 1] ?? 0) << 8) | (bytes[at + 2] ?? 0);
    at += 3;
  } else if (payloadHead === 0x5a) {
    payloadLength = (bytes[at + 1] ?? 0) * 0x100_0000 + (((bytes[at + 2] ?? 0) << 16) | ((bytes[at + 3] ?? 0) << 8) | (bytes[at + 4] ?? 0));
    at += 5;
  } else {
    return null;
  }
  const payloadStart = at;
  // The signature, and nothing after it.
  const signatureHead = payloadStart + payloadLength;
  if (signatureHead + 2 + SIGNATURE_LENGTH !== length) return null;
  if (bytes[signatureHead] !== 0x58 || bytes[signatureHead + 1] !== SIGNATURE_LENGTH) return null;

  return {
    protectedBytes: bytes.subarray(3, 6),
    kid: kidText(bytes, kidStart, kidLength, sender),
    payloadBytes: bytes.subarray(payloadStart, signatureHead),
    signature: bytes.subarray(signatureHead + 2, length),
  };
}

/** The kid as text (ASCII, checked above): the sender's own string when the bytes spell it. */
function kidText(bytes: Uint8Array, start: number, length: number, sender: string | null): string {
  if (sender?.length === length) {
    let same = true;
    for (let i = 0; i < length; i += 1) {
      if (sender.charCodeAt(i) !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return sender;
  }
  let text = '';
  for (let i = start; i < start + length; i += 1) text += String.fromCharCode(bytes[i] ?? 0);
  return text;
}
