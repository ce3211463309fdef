/**
 * Checks on attacker-controlled text (notes, checkpoints, key names). Written as loops over UTF-16 code
 * units rather than regular expressions with control characters in them.
 */

/** False when `text` holds a lone surrogate, which has no UTF-8 encoding (String.prototype.isWellFormed). */
export function isWellFormedText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i += 1;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** True when `text` holds an ASCII control character (below U+0020), other than newline if allowed. */
export function hasControlCharacter(text: string, allowNewline: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 && !(allowNewline && unit === 0x0a)) return true;
  }
  return false;
}
