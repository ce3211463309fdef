import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gs1CheckDigit, hasValidGs1CheckDigit } from './gs1-check-digit.js';

describe('gs1CheckDigit', () => {
  it('matches published GTINs (GS1 examples, EAN-13, UPC-A)', () => {
    expect(gs1CheckDigit('0950600013435')).toBe(2); // GS1 Digital Link example (01)09506000134352
    expect(gs1CheckDigit('400638133393')).toBe(1); // EAN-13 4006381333931
    expect(gs1CheckDigit('03600029145')).toBe(2); // UPC-A 036000291452
    expect(gs1CheckDigit('629104150021')).toBe(3); // EAN-13 6291041500213
    expect(hasValidGs1CheckDigit('09506000134352')).toBe(true);
    expect(hasValidGs1CheckDigit('09506000134353')).toBe(false);
  });

  it('detects every single-digit error', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{13}$/), fc.nat(12), fc.integer({ min: 1, max: 9 }), (body, position, delta) => {
        const gtin = `${body}${gs1CheckDigit(body)}`;
        const changed = (Number(gtin[position]) + delta) % 10;
        const mutated = `${gtin.slice(0, position)}${changed}${gtin.slice(position + 1)}`;
        expect(hasValidGs1CheckDigit(gtin)).toBe(true);
        expect(hasValidGs1CheckDigit(mutated)).toBe(false);
      }),
    );
  });

  it('refuses non-digits', () => {
    expect(() => gs1CheckDigit('12a4')).toThrow(RangeError);
    expect(hasValidGs1CheckDigit('1')).toBe(false);
  });
});
