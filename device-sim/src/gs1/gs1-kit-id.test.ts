import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRandom } from '../random/random.js';
import { hasValidGs1CheckDigit } from './gs1-check-digit.js';
import { createGtin14, createKitId, formatGs1KitId, parseGs1KitId } from './gs1-kit-id.js';

const LOADED_AT = Date.UTC(2026, 2, 10, 9, 0, 0);

describe('GS1 kit ids', () => {
  it('writes (01) GTIN, (17) expiry, (10) lot, (21) serial, with a valid GTIN check digit', () => {
    const kit = createKitId(createRandom(5), LOADED_AT);
    const text = formatGs1KitId(kit);
    expect(text).toMatch(/^\(01\)[0-9]{14}\(17\)[0-9]{6}\(10\)L[0-9]{4}[A-F]\(21\)[A-Z0-9]{10}$/);
    expect(hasValidGs1CheckDigit(kit.gtin)).toBe(true);
    expect(kit.gtin.startsWith('00614141')).toBe(true);
    expect(parseGs1KitId(text)).toEqual(kit);
  });

  it('always produces a parseable kit whose expiry is a real date 12-24 months after loading', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 3650 }), (seed, days) => {
        const loadedAt = LOADED_AT + days * 86_400_000;
        const kit = createKitId(createRandom(seed), loadedAt);
        expect(parseGs1KitId(formatGs1KitId(kit))).toEqual(kit);
        const year = 2000 + Number(kit.expiry.slice(0, 2));
        const expiry = Date.UTC(year, Number(kit.expiry.slice(2, 4)) - 1, Number(kit.expiry.slice(4, 6)));
        const months = (expiry - loadedAt) / (30.44 * 86_400_000);
        expect(months).toBeGreaterThan(11);
        expect(months).toBeLessThan(25.5);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a wrong check digit, a bad date and other text', () => {
    const good = formatGs1KitId(createKitId(createRandom(9), LOADED_AT));
    const badCheck = good.replace(/^\(01\)([0-9]{13})([0-9])/, (_m, body: string, check: string) => `(01)${body}${(Number(check) + 1) % 10}`);
    expect(parseGs1KitId(badCheck)).toBeUndefined();
    expect(parseGs1KitId(good.replace(/\(17\)[0-9]{6}/, '(17)271399'))).toBeUndefined();
    expect(parseGs1KitId('hello')).toBeUndefined();
    expect(() => createGtin14(0, '0614141', '1')).toThrow(RangeError);
  });
});
