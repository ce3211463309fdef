/**
 * The GS1 mod-10 check digit (GS1 General Specifications section 7.9.1), used by GTIN-8/12/13/14 and SSCC:
 * weights 3, 1, 3, 1, ... from the rightmost data digit leftwards; the check digit brings the sum to a
 * multiple of ten.
 */
export function gs1CheckDigit(digitsWithoutCheck: string): number {
  if (!/^[0-9]+$/.test(digitsWithoutCheck)) throw new RangeError('GS1 check digit needs decimal digits');
  let sum = 0;
  for (let i = 0; i < digitsWithoutCheck.length; i++) {
    const digit = digitsWithoutCheck.charCodeAt(digitsWithoutCheck.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the last digit of `digits` is the GS1 check digit of the others. */
export function hasValidGs1CheckDigit(digits: string): boolean {
  if (!/^[0-9]{2,}$/.test(digits)) return false;
  return gs1CheckDigit(digits.slice(0, -1)) === Number(digits.slice(-1));
}
