/**
 * Mutations of valid bytes for the fuzz targets: a plan of one to four edits (bit flips, byte changes,
 * insertions, deletions, truncation, appended junk, a repeated run) drawn by fast-check, applied to bytes made
 * only at run time (a freshly signed message, a frame). Positions are taken modulo the length.
 */
import fc from 'fast-check';

export type ByteEdit =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'append'; readonly bytes: Uint8Array }
  | { readonly kind: 'repeat'; readonly at: number; readonly length: number };

const position = fc.nat({ max: 1 << 16 });

export const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('set' as const), at: position, value: fc.constantFrom(0x00, 0xff, 0x7f, 0x80, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x5f, 0x9f, 0xbf, 0xd2, 0xf6, 0xf7, 0xfb) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 16 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: position, length: fc.integer({ min: 1, max: 32 }) }), weight: 1 },
);

export const byteEdits: fc.Arbitrary<readonly ByteEdit[]> = fc.array(byteEdit, { minLength: 1, maxLength: 4 });

export function applyEdits(base: Uint8Array, edits: readonly ByteEdit[]): Buffer {
  let bytes = Buffer.from(base);
  for (const edit of edits) {
    const at = bytes.length === 0 ? 0 : ('at' in edit ? edit.at % bytes.length : 0);
    switch (edit.kind) {
      case 'flip':
        if (bytes.length > 0) bytes[at] = (bytes[at] ?? 0) ^ (1 << edit.bit);
        break;
      case 'set':
        if (bytes.length > 0) bytes[at] = edit.value;
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), edit.bytes, bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + edit.length)]);
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'append':
        bytes = Buffer.concat([bytes, edit.bytes]);
        break;
      case 'repeat':
        bytes = Buffer.concat([bytes.subarray(0, at + edit.length), bytes.subarray(at)]);
        break;
    }
  }
  return Buffer.from(bytes);
}
