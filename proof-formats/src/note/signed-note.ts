import { concatBytes, utf8 } from '../encoding/bytes.js';
import { decodeBase64, encodeBase64 } from '../encoding/canonical-base64.js';
import { hasControlCharacter, isWellFormedText } from '../encoding/text-checks.js';
import { ProofFormatError } from '../errors/proof-format-error.js';
import { isValidKeyName } from './key-name.js';
import { formatKeyId, keyIdBytes } from './note-key-id.js';
import type { NoteSigner } from './note-signer.js';
import type { NoteVerifier } from './note-verifier.js';

/**
 * C2SP signed notes (c2sp.org/signed-note; spec section 5): text ending in a newline, a blank line, then one
 * line per signature, `— <key name> <base64(key ID || signature)>` (U+2014 EM DASH, a space).
 *
 * Verification follows the C2SP text, and where it leaves room, the stricter reading:
 * - the note is valid UTF-8 without control characters other than newline;
 * - signatures by unknown keys are ignored (rotation, witness cosignatures), even when they share the name or
 *   the ID (but not both) of a known key;
 * - every signature by a known key is verified, and one that fails rejects the whole note (C2SP says SHOULD;
 *   golang.org/x/mod/sumdb/note skips repeated lines of a known key, we check each of them);
 * - at least one known key's signature must verify;
 * - at most `MAX_NOTE_SIGNATURES` signature lines (C2SP: verifiers MUST accept at least 16) and at most
 *   `MAX_NOTE_BYTES` bytes.
 */
export const SIGNATURE_LINE_PREFIX = '\u2014 ';
export const MAX_NOTE_SIGNATURES = 100;
export const MAX_NOTE_BYTES = 256 * 1024;

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** Key ID as 8 hex digits, for messages. */
  readonly keyIdHex: string;
  /** The raw signature after the 4-byte key ID. */
  readonly signature: Uint8Array;
}

export interface OpenedNote {
  /** The signed text, ending in a newline (the checkpoint body for checkpoints). */
  readonly text: string;
  /** Signatures by known keys, each verified. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys the caller does not know, ignored (not verified). */
  readonly unknown: readonly NoteSignature[];
}

const textDecoder = new TextDecoder('utf-8', { fatal: true });

function malformed(why: string, details: Record<string, unknown> = {}): never {
  throw new ProofFormatError('E_NOTE_MALFORMED', `malformed note: ${why}`, { details });
}

function checkNoteText(text: string, what: string): void {
  if (!isWellFormedText(text)) malformed(`${what} is not valid UTF-8 (a lone surrogate)`);
  // Control characters other than newline are not allowed anywhere in a note (C2SP signed-note, "Format").
  if (hasControlCharacter(text, true)) malformed(`${what} contains a control character other than newline`);
}

/** Signs `text` (which must end in a newline) with each signer, in order. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (typeof text !== 'string' || text.length === 0 || !text.endsWith('\n')) {
    malformed('the text must be non-empty and end with a newline');
  }
  checkNoteText(text, 'the text');
  if (signers.length === 0) malformed('a note needs at least one signature');
  if (signers.length > MAX_NOTE_SIGNATURES) malformed(`at most ${MAX_NOTE_SIGNATURES} signatures`);
  const message = utf8(text);
  const lines = signers.map((signer) => {
    if (!isValidKeyName(signer.name)) malformed('invalid key name', { name: signer.name });
    const signature = signer.sign(message);
    return `${SIGNATURE_LINE_PREFIX}${signer.name} ${encodeBase64(concatBytes(keyIdBytes(signer.keyId), signature))}\n`;
  });
  const note = `${text}\n${lines.join('')}`;
  if (utf8(note).length > MAX_NOTE_BYTES) {
    throw new ProofFormatError('E_NOTE_TOO_LARGE', `a note is at most ${MAX_NOTE_BYTES} bytes`);
  }
  return note;
}

/**
 * Splits a note into its text and signature lines without verifying anything (for display and digests).
 * Attacker-controlled input: throws `E_NOTE_MALFORMED` / `E_NOTE_TOO_LARGE` only.
 */
export function splitNote(note: string | Uint8Array): { readonly text: string; readonly signatures: readonly NoteSignature[] } {
  let source: string;
  if (note instanceof Uint8Array) {
    if (note.length > MAX_NOTE_BYTES) {
      throw new ProofFormatError('E_NOTE_TOO_LARGE', `a note is at most ${MAX_NOTE_BYTES} bytes`);
    }
    try {
      source = textDecoder.decode(note);
    } catch {
      malformed('not valid UTF-8');
    }
  } else if (typeof note === 'string') {
    // A UTF-16 string is at most 3 UTF-8 bytes per code unit; measure only when it could be too large.
    if (note.length * 3 > MAX_NOTE_BYTES && utf8(note).length > MAX_NOTE_BYTES) {
      throw new ProofFormatError('E_NOTE_TOO_LARGE', `a note is at most ${MAX_NOTE_BYTES} bytes`);
    }
    source = note;
  } else {
    malformed('not text');
  }
  checkNoteText(source, 'the note');
  // The text is separated from the signatures by the last blank line.
  const split = source.lastIndexOf('\n\n');
  if (split < 0) malformed('no blank line before the signatures');
  const text = source.slice(0, split + 1);
  const block = source.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) malformed('the signature block must be non-empty and end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) malformed(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures = lines.map((line, position): NoteSignature => {
    if (!line.startsWith(SIGNATURE_LINE_PREFIX)) malformed(`signature line ${position} does not start with "— "`);
    const rest = line.slice(SIGNATURE_LINE_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space < 0) malformed(`signature line ${position} has no signature`);
    const name = rest.slice(0, space);
    const encoded = rest.slice(space + 1);
    if (!isValidKeyName(name)) malformed(`signature line ${position} has an invalid key name`);
    let bytes: Uint8Array = new Uint8Array();
    try {
      bytes = decodeBase64(encoded, 'signature');
    } catch {
      malformed(`signature line ${position} is not canonical base64`);
    }
    if (bytes.length < 5) malformed(`signature line ${position} is too short`);
    const keyId = (((bytes[0] ?? 0) << 24) | ((bytes[1] ?? 0) << 16) | ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0)) >>> 0;
    return { name, keyId, keyIdHex: formatKeyId(keyId), signature: bytes.slice(4) };
  });
  return { text, signatures };
}

/**
 * Opens a signed note with the keys the caller trusts. Throws `E_NOTE_MALFORMED`, `E_NOTE_TOO_LARGE`,
 * `E_NOTE_SIGNATURE` (a known key's signature does not verify), `E_NOTE_AMBIGUOUS_KEY` (two different known
 * keys share name and ID) or `E_NOTE_UNVERIFIED` (no known key signed it).
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { text, signatures } = splitNote(note);
  const message = utf8(text);
  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  for (const signature of signatures) {
    const matches = verifiers.filter((v) => v.name === signature.name && v.keyId === signature.keyId);
    const distinct = matches.filter((v, i) => matches.findIndex((w) => equalKeys(w.publicKey, v.publicKey)) === i);
    const [verifier, ...others] = distinct;
    if (verifier === undefined) {
      unknown.push(signature);
      continue;
    }
    if (others.length > 0) {
      throw new ProofFormatError('E_NOTE_AMBIGUOUS_KEY', `two known keys are named ${signature.name}+${signature.keyIdHex}`, {
        details: { name: signature.name, keyId: signature.keyIdHex },
      });
    }
    if (!verifier.verify(message, signature.signature)) {
      throw new ProofFormatError('E_NOTE_SIGNATURE', `the signature of ${signature.name}+${signature.keyIdHex} does not verify`, {
        details: { name: signature.name, keyId: signature.keyIdHex },
      });
    }
    verified.push(signature);
  }
  if (verified.length === 0) {
    throw new ProofFormatError('E_NOTE_UNVERIFIED', 'the note is not signed by any known key', {
      details: { signers: unknown.map((s) => `${s.name}+${s.keyIdHex}`) },
    });
  }
  return { text, verified, unknown };
}

function equalKeys(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
