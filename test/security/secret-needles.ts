/**
 * What a secret or a reading looks like inside a log line, in every encoding the project uses for bytes:
 * hex (lower and upper case), base64 and base64url, and the decimal list a byte array prints as
 * (`Uint8Array.prototype.toString`, `JSON.stringify` of a Buffer's data). A secret embedded in a longer byte
 * string (a key inside a signed-note key line, a value inside a CBOR message) is found too: base64 is aligned
 * on 3 bytes, so for each of the three offsets the secret could start at, the needle is the run of
 * characters that depend on the secret's bytes alone.
 */

export interface Needle {
  /** What the needle stands for ("device secret key sec-x, base64 offset 1"). */
  readonly label: string;
  readonly needle: string;
}

/** Needles shorter than this many characters are left out: they could appear by chance. */
export const MIN_NEEDLE_CHARS = 8;

function alignedBase64(bytes: Uint8Array, alphabet: 'base64' | 'base64url'): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), Buffer.from(bytes)]);
    const text = padded.toString(alphabet).replace(/=+$/, '');
    // Characters [ceil(8*offset/6), floor(8*(offset+n)/6)) are made only of the secret's bits.
    const start = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    out.push(text.slice(start, end));
  }
  return out;
}

export function encodingsOf(label: string, bytes: Uint8Array): Needle[] {
  const hex = Buffer.from(bytes).toString('hex');
  const candidates: Needle[] = [
    { label: `${label}, hex`, needle: hex },
    { label: `${label}, HEX`, needle: hex.toUpperCase() },
    ...alignedBase64(bytes, 'base64').map((needle, offset) => ({ label: `${label}, base64 at offset ${offset}`, needle })),
    ...alignedBase64(bytes, 'base64url').map((needle, offset) => ({ label: `${label}, base64url at offset ${offset}`, needle })),
  ];
  if (bytes.length >= 6) {
    candidates.push({ label: `${label}, decimal list`, needle: [...bytes].join(',') });
    candidates.push({ label: `${label}, decimal list with spaces`, needle: [...bytes].join(', ') });
  }
  const seen = new Set<string>();
  return candidates.filter((c) => {
    if (c.needle.length < MIN_NEEDLE_CHARS || seen.has(c.needle)) return false;
    seen.add(c.needle);
    return true;
  });
}

/** A text secret (a token, a password): as written, and the encodings of its UTF-8 bytes. */
export function textNeedles(label: string, text: string): Needle[] {
  return [{ label: `${label}, as text`, needle: text }, ...encodingsOf(label, Buffer.from(text, 'utf8'))];
}

/** The labels of the needles found in `haystack`. */
export function findSecrets(haystack: string, needles: readonly Needle[]): string[] {
  return needles.filter((n) => haystack.includes(n.needle)).map((n) => n.label);
}
