import { ProofFormatError } from '../errors/proof-format-error.js';

/**
 * Standard base64 (RFC 4648 section 4, with padding), as C2SP signed-note and the bundle format use it.
 *
 * Decoding is canonical on purpose: Node's `Buffer.from(s, 'base64')` skips characters it does not know and
 * accepts missing padding and non-zero padding bits, so two different strings could name the same bytes, and
 * another language's strict decoder would reject what we accepted. We accept exactly the string that
 * `encodeBase64` would produce for the decoded bytes.
 */
const BASE64_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Attacker-controlled: base64 text from notes, bundles and keys. Throws `E_ENCODING` unless `text` is the
 * canonical base64 of some bytes (and, with `expectedLength`, of exactly that many bytes).
 */
export function decodeBase64(text: string, what: string, expectedLength?: number): Uint8Array {
  if (!BASE64_SHAPE.test(text)) {
    throw new ProofFormatError('E_ENCODING', `${what} is not standard base64`, { details: { what } });
  }
  const buffer = Buffer.from(text, 'base64');
  if (buffer.toString('base64') !== text) {
    throw new ProofFormatError('E_ENCODING', `${what} is not canonical base64 (non-zero padding bits)`, {
      details: { what },
    });
  }
  if (expectedLength !== undefined && buffer.length !== expectedLength) {
    throw new ProofFormatError('E_ENCODING', `${what} must be ${expectedLength} bytes, got ${buffer.length}`, {
      details: { what, expectedLength, length: buffer.length },
    });
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
