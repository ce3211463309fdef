import { isAscii, isUtf8 } from 'node:buffer';
import { ProofFormatError } from '../errors/proof-format-error.js';

/**
 * The text of a bundle file's UTF-8 bytes, exactly as `new TextDecoder('utf-8', { fatal: true }).decode` gives
 * it (a leading byte order mark dropped; anything but well-formed UTF-8 refused, as `E_BUNDLE_NOT_JSON`), but
 * with Node's native validator and decoder: several times faster on a 100 MB bundle. A property test checks
 * that the two agree.
 *
 * Attacker-controlled: the bytes of the file a sponsor was handed.
 */
export function bundleText(input: Uint8Array): string {
  // ASCII (a bundle nearly always is: JSON around base64) decodes byte for byte, fastest as latin1.
  if (isAscii(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  if (!isUtf8(input)) throw new ProofFormatError('E_BUNDLE_NOT_JSON', 'not a proof bundle: the file is not UTF-8 text');
  const bom = input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  return Buffer.from(input.buffer, input.byteOffset + bom, input.byteLength - bom).toString('utf8');
}
