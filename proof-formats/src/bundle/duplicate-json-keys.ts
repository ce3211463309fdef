/**
 * Finds a key that occurs twice in one JSON object. `JSON.parse` silently keeps the last occurrence; other
 * languages' parsers keep the first or refuse, so a bundle with duplicate keys could mean one thing to us
 * and another to a sponsor's own verifier (a parser differential). Such bundles are refused.
 *
 * Attacker-controlled `text`, but called only after `JSON.parse` accepted it, so the scanner can rely on
 * well-formed JSON: strings are delimited by unescaped quotes, and a string followed by ':' is a key.
 * Linear time, an explicit stack (no recursion), any nesting depth.
 */
export function findDuplicateJsonKey(text: string): { readonly key: string; readonly path: string } | undefined {
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
