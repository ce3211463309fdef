/**
 * C2SP signed-note key names: "non-empty and MUST NOT contain any Unicode spaces or plus (U+002B)". Unicode
 * spaces are those Go's `unicode.IsSpace` reports (the reference implementation, golang.org/x/mod/sumdb/note):
 * the ASCII white space, U+0085, U+00A0 and the Z categories. JavaScript's `\s` differs (it includes U+FEFF),
 * so the set is spelled out. Control characters are refused as well: a note may not contain them anyway.
 */
import { hasControlCharacter, isWellFormedText } from '../encoding/text-checks.js';

const FORBIDDEN = /[ +\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && isWellFormedText(name) && !hasControlCharacter(name, false) && !FORBIDDEN.test(name);
}
