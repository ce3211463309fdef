import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateJsonKey } from './duplicate-json-keys.js';

/**
 * The duplicate-key scanner skips string contents with indexOf; it must find exactly what the plain
 * character-by-character scanner it replaced finds (kept here as the reference), on JSON text with repeated,
 * escaped and look-alike keys, strings full of quotes, backslashes and brackets, and any whitespace.
 */
// The scanner as it was, character by character.
function referenceFindDuplicateJsonKey(text: string): { readonly key: string; readonly path: string } | undefined {
  const stack: { keys: Set<string> | undefined; name: string }[] = [];
  let pendingName = '$';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) j += 2;
        else if (d === 0x22) break;
        else j += 1;
      }
      const raw = text.slice(i, j + 1);
      i = j + 1;
      let k = i;
      while (k < n && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x0a || text.charCodeAt(k) === 0x0d || text.charCodeAt(k) === 0x09)) k += 1;
      const top = stack[stack.length - 1];
      if (k < n && text.charCodeAt(k) === 0x3a /* : */ && top?.keys !== undefined) {
        const key = JSON.parse(raw) as string;
        if (top.keys.has(key)) return { key, path: top.name };
        top.keys.add(key);
        pendingName = `${top.name}.${key}`;
      }
      continue;
    }
    if (c === 0x7b /* { */) {
      stack.push({ keys: new Set(), name: pendingName });
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: undefined, name: `${pendingName}[]` });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      pendingName = stack[stack.length - 1]?.name ?? '$';
    }
    if (c === 0x7b || c === 0x5b) pendingName = stack[stack.length - 1]?.name ?? '$';
    i += 1;
  }
  return undefined;
}

const ws = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ');
const keyText = fc.constantFrom('"a"', '"b"', '"\\u0061"', '"a\\""', '"\\\\"', '"{"', '"["', '"entries"', '"proof"', '"\\\\\\""');
const stringText = fc.oneof(
  fc.constantFrom('"x"', '"\\""', '"\\\\"', '"}]"', '"{\\"a\\":1}"', '"\\\\\\""', '""'),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
);
const { value } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, stringText, fc.constantFrom('1', '-2.5e3', 'true', 'null'), tie('object'), tie('array')),
  object: fc
    .array(fc.tuple(ws, keyText, ws, ws, tie('value'), ws), { maxLength: 5 })
    .map((members) => `{${members.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(',')}}`),
  array: fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 4 }).map((items) => `[${items.map(([a, v, b]) => `${a}${v}${b}`).join(',')}]`),
}));

describe('findDuplicateJsonKey', () => {
  it('finds what the character-by-character reference finds, key and path', () => {
    fc.assert(
      fc.property(value, ws, (text, tail) => {
        const json = `${text}${tail}`;
        JSON.parse(json);
        expect(findDuplicateJsonKey(json)).toEqual(referenceFindDuplicateJsonKey(json));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds a duplicate behind long strings and escaped quotes', () => {
    const long = 'A'.repeat(100_000);
    const cases: [string, { key: string; path: string } | undefined][] = [
      [String.raw`{"entries":[{"entry":"${long}","proof":["\"",""]},{"entry":"x","entry":"y"}]}`, { key: 'entry', path: '$.entries[]' }],
      [String.raw`{"a":"\\","a":1}`, { key: 'a', path: '$' }],
      [String.raw`{"a\"":1,"a":2}`, undefined],
      [String.raw`{"x":"\\\"}{","x":0}`, { key: 'x', path: '$' }],
    ];
    for (const [json, expected] of cases) {
      JSON.parse(json);
      expect(findDuplicateJsonKey(json)).toEqual(expected);
      expect(referenceFindDuplicateJsonKey(json)).toEqual(expected);
    }
  });
});
