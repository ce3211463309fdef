/**
 * A status or flags field: its raw value and the names of the bits that are set (names are stable, kebab-case
 * versions of the GATT Specification Supplement's; a set bit the specification reserves is named
 * `reserved-bit-N`, so nothing a device sends goes unseen).
 */
export interface GattBitField {
  readonly raw: number;
  readonly set: readonly string[];
}

export function readBitField(raw: number, width: number, names: Readonly<Record<number, string>>): GattBitField {
  const set: string[] = [];
  for (let bit = 0; bit < width; bit += 1) {
    if ((raw >>> bit) & 1) set.push(names[bit] ?? `reserved-bit-${bit}`);
  }
  return { raw, set };
}

/** Bits of a flags octet not defined by the specification that are set (receivers ignore them; we report them). */
export function reservedBits(flags: number, definedMask: number): number {
  return flags & ~definedMask & 0xff;
}
