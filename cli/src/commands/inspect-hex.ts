/**
 * Hex input and output for `trialgate inspect`: tolerant parsing of what a developer pastes (spaces, colons,
 * a 0x prefix, upper case) and a hex dump that points at one byte.
 */
export class HexInputError extends Error {
  override readonly name = 'HexInputError';
}

export function parseHexInput(text: string, what: string): Uint8Array {
  const cleaned = text.trim().replace(/^0x/i, '').replace(/[\s:,_-]/g, '').toLowerCase();
  if (cleaned.length === 0) throw new HexInputError(`${what} is empty`);
  const bad = cleaned.search(/[^0-9a-f]/);
  if (bad !== -1) throw new HexInputError(`${what}: "${cleaned[bad] ?? ''}" at position ${bad} is not a hex digit`);
  if (cleaned.length % 2 !== 0) throw new HexInputError(`${what} has an odd number of hex digits (${cleaned.length})`);
  return Uint8Array.from(Buffer.from(cleaned, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** The 16-byte rows around `offset`, with a caret under the byte at `offset` (or after the last byte). */
export function hexContext(bytes: Uint8Array, offset: number, indent = '    '): string[] {
  const row = Math.floor(Math.min(offset, Math.max(bytes.length - 1, 0)) / 16);
  const lines: string[] = [];
  for (let r = Math.max(0, row - 1); r <= row; r += 1) {
    const start = r * 16;
    const cells = Array.from(bytes.subarray(start, start + 16), (b) => b.toString(16).padStart(2, '0'));
    lines.push(`${indent}${start.toString(16).padStart(4, '0')}: ${cells.join(' ')}`);
  }
  const column = offset - row * 16;
  lines.push(`${indent}      ${'   '.repeat(Math.max(0, column))}^^${offset >= bytes.length ? ' (end of input)' : ''}`);
  return lines;
}
