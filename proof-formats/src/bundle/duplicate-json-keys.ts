/**
 * Finds a key that occurs twice in one JSON object. `JSON.parse` silently keeps the last occurrence; other
 * languages' parsers keep the first or refuse, so a bundle with duplicate keys could mean one thing to us
 * and another to a sponsor's own verifier (a parser differential). Such bundles are refused.
 *
 * Attacker-controlled `text`, but called only after `JSON.parse` accepted it, so the scanner can rely on
 * well-formed JSON: strings are delimited by unescaped quotes, and a string followed by ':' is a key.
 * Linear time, an explicit stack (no recursion), any nesting depth. String contents (nearly all of a bundle:
 * base64) are skipped with `indexOf`, not character by character: a 100 MB bundle is scanned in a fraction of
 * the time `JSON.parse` takes.
 */
export function findDuplicateJsonKey(text: string): { readonly key: string; readonly path: string } | undefined {
  const stack: { keys: Set<string> | undefined; name: string }[] = [];
  let pendingName = '$';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      const end = stringEnd(text, start);
      const top = stack[stack.length - 1];
      i = end;
      if (top?.keys === undefined) continue;
      let k = end;
      while (k < n && isJsonWhitespace(text.charCodeAt(k))) k += 1;
      if (k < n && text.charCodeAt(k) === 0x3a /* : */) {
        const raw = text.slice(start, end);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
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

/** The index just past the string that opens at `start`: the next quote not escaped by a backslash. */
function stringEnd(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  while (j > 0) {
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === 0x5c /* \ */) backslashes += 1;
    if (backslashes % 2 === 0) return j + 1;
    j = text.indexOf('"', j + 1);
  }
  return text.length;
}

function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
